-- The signed intent token of every decision (a compact JWS; see backend/intent).
-- Empty only for decisions recorded before tokens existed.
ALTER TABLE decisions ADD COLUMN token TEXT NOT NULL DEFAULT '';
