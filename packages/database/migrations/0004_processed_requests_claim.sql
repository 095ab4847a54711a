-- A request id is claimed before its write runs and its reply stored after, in the same
-- transaction: a redelivered copy waits on the claim instead of running the write again.
ALTER TABLE processed_requests ALTER COLUMN reply DROP NOT NULL;
