-- Incremental matching of attachments (issue #18 part 2): until now every
-- match joined all of attachment_sightings with the customers. Now the
-- match recomputes the attachment join only for the listings named here
-- (plus the listings whose attachments hold a hash of a newly imported
-- customer identifier, found by attachment_sightings_hash), and deletes the
-- entries in the same transaction, as it does for match_queue_pages: a
-- killed match rolls back and the next one resumes.
--
-- The unit is the listing (attachments.page_id), not the attachment: an
-- exposure is (customer, hash, listing), and its first_seen, last_seen and
-- confidence are aggregates over all the attachments of the listing, so a
-- listing recomputed whole gives the full join's rows exactly.
--
-- Filled in the transaction that makes the change:
-- - new attachment sightings (a download; a revisit that found the file
--   unchanged keeps its rows and adds none): their attachments' listing;
-- - an attachment moved to another listing (its sightings now count
--   there): the new listing.
-- Deletions need no entry: the match never deletes exposures.
CREATE TABLE match_queue_attachments (
  id      bigserial PRIMARY KEY,
  page_id bigint    NOT NULL
);

CREATE FUNCTION queue_attachment_sightings_for_match() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO match_queue_attachments (page_id)
    SELECT DISTINCT a.page_id FROM attachments a WHERE a.id IN (SELECT attachment_id FROM added);
  RETURN NULL;
END $$;
CREATE TRIGGER attachment_sightings_match_queue AFTER INSERT ON attachment_sightings
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION queue_attachment_sightings_for_match();

CREATE FUNCTION queue_moved_attachments_for_match() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO match_queue_attachments (page_id)
    SELECT DISTINCT n.page_id FROM moved_new n JOIN moved_old o ON o.id = n.id WHERE o.page_id <> n.page_id;
  RETURN NULL;
END $$;
CREATE TRIGGER attachments_moved_match_queue AFTER UPDATE ON attachments
  REFERENCING OLD TABLE AS moved_old NEW TABLE AS moved_new
  FOR EACH STATEMENT EXECUTE FUNCTION queue_moved_attachments_for_match();

-- Attachments stored before this migration were joined whole at every
-- match; the first match after it recomputes their listings once.
INSERT INTO match_queue_attachments (page_id) SELECT DISTINCT page_id FROM attachments;
