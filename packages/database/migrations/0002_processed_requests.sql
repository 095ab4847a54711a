-- Replies to write requests, keyed by the request's id, so a redelivered request gets
-- the answer its first delivery produced.
CREATE TABLE processed_requests (
  request_id   text        PRIMARY KEY,
  reply        jsonb       NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX processed_requests_processed_at ON processed_requests (processed_at);
