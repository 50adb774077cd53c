-- Content up to 2 KiB (see inlineContent) is kept in its action's row rather
-- than in blobs: a small proposal then writes one row for its content instead
-- of a blob row plus an entry in the blobs' hash index, which lands at a
-- random place and splits pages. Larger content stays content-addressed in
-- blobs, as before. An action has at most one of content and content_sha.
ALTER TABLE actions ADD COLUMN content BLOB;
