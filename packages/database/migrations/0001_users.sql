-- The textbook's setup.sql, made safe for many Back Ends: one row per normalized email.
CREATE TABLE users (
  email      text        NOT NULL,
  hash       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_normalized_key ON users (lower(email));
