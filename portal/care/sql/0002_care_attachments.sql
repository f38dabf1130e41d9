-- Photos and PDFs attached to the care team's posts (issue #18). The bytes are in the
-- portal's content-addressed store (care.attachments_dir: <2 hex>/<sha256>, written once,
-- read-only); a row names them with the media type their first bytes were checked against,
-- the name the member gave and who attached it. Like the posts, nothing is deleted: a
-- correction of the post keeps its attachments, and an attachment is never replaced.
CREATE TABLE care_post_attachments (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  post_id     bigint NOT NULL REFERENCES care_posts (id),
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  media_type  text NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg',
                'image/png')),
  file_name   text NOT NULL,
  size_bytes  bigint NOT NULL CHECK (size_bytes > 0),
  added_by    bigint NOT NULL REFERENCES care_team_members (id),
  added_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX care_post_attachments_post ON care_post_attachments (post_id, id);
