-- The home-care team's shared record (issue #18, ケアキャビネット): one team per person (the
-- PIX person id the viewer uses), its members (users of any registered facility, each with
-- a care profession and the timeline column it writes in), the patient's consent to the team,
-- and the posts with every version kept. Nothing is ever deleted or overwritten: a member
-- who leaves or is removed keeps the row with its end; a withdrawn consent keeps the row
-- with its withdrawal; a correction is a new version beside the earlier one.
CREATE TABLE care_teams (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id   bigint NOT NULL UNIQUE,
  created_by  bigint NOT NULL REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The patient's consent to the team: which facilities' staff may join (all registered ones,
-- or the listed ones), and whether the patient or a family member may read as a read-only
-- member. The newest row of a team is the one in force; withdrawn: a timestamp, never a
-- deletion. At most one row of a team is not withdrawn.
CREATE TABLE care_team_consents (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  team_id            bigint NOT NULL REFERENCES care_teams (id),
  document_ref       text NOT NULL DEFAULT '',     -- the signed form's reference
  all_facilities     boolean NOT NULL,
  facilities         text[] NOT NULL DEFAULT '{}', -- facility OIDs when not all_facilities
  reader_allowed     boolean NOT NULL DEFAULT false,
  recorded_by        bigint NOT NULL REFERENCES users (id),
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  withdrawn_at       timestamptz,
  withdrawn_by       bigint REFERENCES users (id),
  withdrawal_reason  text NOT NULL DEFAULT ''
);
CREATE INDEX care_team_consents_team ON care_team_consents (team_id, id);
CREATE UNIQUE INDEX care_team_consents_live ON care_team_consents (team_id)
  WHERE withdrawn_at IS NULL;

-- Members. status: invited (by invited_by, not yet accepted), active, declined, left (by
-- themselves), removed (by ended_by). A user has at most one invited or active row per team;
-- an earlier, ended row stays.
CREATE TABLE care_team_members (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  team_id          bigint NOT NULL REFERENCES care_teams (id),
  user_id          bigint NOT NULL REFERENCES users (id),
  care_profession  text NOT NULL CHECK (care_profession IN ('doctor', 'dentist', 'pharmacist',
                     'nurse', 'public_health_nurse', 'care_manager', 'home_helper',
                     'care_worker', 'physical_therapist', 'occupational_therapist',
                     'speech_therapist', 'dietitian', 'social_worker', 'patient', 'family')),
  care_column      text NOT NULL CHECK (care_column IN ('medical', 'nursing', 'pharmacy',
                     'care', 'none')),
  read_only        boolean NOT NULL DEFAULT false,
  status           text NOT NULL CHECK (status IN ('invited', 'active', 'declined', 'left',
                     'removed')),
  invited_by       bigint REFERENCES users (id),  -- null for the team's creator
  invited_at       timestamptz NOT NULL DEFAULT now(),
  accepted_at      timestamptz,
  ended_at         timestamptz,
  ended_by         bigint REFERENCES users (id)
);
CREATE UNIQUE INDEX care_team_members_current ON care_team_members (team_id, user_id)
  WHERE status IN ('invited', 'active');
CREATE INDEX care_team_members_user ON care_team_members (user_id, team_id, id);

-- Posts: the column is the author's at the time of writing (the timeline's four columns
-- 医療 / 看護 / 薬剤 / 介護); the text is in the versions, the newest being current_version.
CREATE TABLE care_posts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  team_id          bigint NOT NULL REFERENCES care_teams (id),
  author_member_id bigint NOT NULL REFERENCES care_team_members (id),
  care_column      text NOT NULL CHECK (care_column IN ('medical', 'nursing', 'pharmacy',
                     'care')),
  current_version  integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now()
);
-- The timeline, newest first, whole or by column: keyset on id.
CREATE INDEX care_posts_timeline ON care_posts (team_id, id DESC);
CREATE INDEX care_posts_column ON care_posts (team_id, care_column, id DESC);

-- Every version of a post: version 1 as written, each correction the next one with its
-- reason. kind soap: subjective/objective/assessment/plan; kind text: body.
CREATE TABLE care_post_versions (
  post_id     bigint NOT NULL REFERENCES care_posts (id),
  version     integer NOT NULL CHECK (version >= 1),
  kind        text NOT NULL CHECK (kind IN ('soap', 'text')),
  subjective  text NOT NULL DEFAULT '',
  objective   text NOT NULL DEFAULT '',
  assessment  text NOT NULL DEFAULT '',
  plan        text NOT NULL DEFAULT '',
  body        text NOT NULL DEFAULT '',
  reason      text NOT NULL DEFAULT '',  -- why it was corrected (versions after the first)
  written_by  bigint NOT NULL REFERENCES care_team_members (id),
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, version)
);

-- Members a post mentions (from any of its versions).
CREATE TABLE care_post_mentions (
  post_id    bigint NOT NULL REFERENCES care_posts (id),
  member_id  bigint NOT NULL REFERENCES care_team_members (id),
  PRIMARY KEY (post_id, member_id)
);
CREATE INDEX care_post_mentions_member ON care_post_mentions (member_id, post_id);

-- Read receipts: the version each member last marked read, and when.
CREATE TABLE care_post_reads (
  post_id    bigint NOT NULL REFERENCES care_posts (id),
  member_id  bigint NOT NULL REFERENCES care_team_members (id),
  version    integer NOT NULL,
  read_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, member_id)
);
