import type { FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user's email, set by a session preHandler; null when nobody is. */
    user: string | null;
    /** The logged-in user has not confirmed their address yet (EMAIL_VERIFICATION=optional's notice). */
    emailUnverified: boolean;
  }
}

/** Why a session starts: the Back End audits a login, not a registration. */
export type SessionStartReason = 'login' | 'register';

/**
 * Where sessions live. Two implementations, chosen once at start-up (session-mode.ts): the
 * Back End's sessions in PostgreSQL (sessions.ts) and an encrypted cookie (cookie-sessions.ts).
 * Routes use only this interface.
 */
export interface SessionStore {
  /** "Log out everywhere" needs every session of a user in one place: only the Back End has that. */
  readonly canLogOutEverywhere: boolean;
  /** preHandler for pages: sets `request.user`, or leaves it null. */
  readonly loadUser: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** preHandler for the login and register forms: a session that cannot be looked up counts as none. */
  readonly loadUserOrAnonymous: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Logs `email` in under a new session, ending the one the browser had; also a fresh CSRF secret. */
  start(request: FastifyRequest, reply: FastifyReply, email: string, reason: SessionStartReason): Promise<void>;
  /** Logout: the session ends and the browser forgets the cookie. */
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Every session of this session's user; returns how many ended. Only when canLogOutEverywhere. */
  endEverywhere(request: FastifyRequest, reply: FastifyReply): Promise<number>;
}
