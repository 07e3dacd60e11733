-- Settings per server as validated JSON (bot/storage/base.py GuildSettings).
CREATE TABLE guild_settings (
    guild_id   INTEGER PRIMARY KEY,
    data       TEXT    NOT NULL,
    updated_at REAL    NOT NULL
);

-- One row per message the bot acted on (or decided not to). No message text
-- unless the server opted in (store_message_text).
CREATE TABLE detections (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER NOT NULL,
    author_id        INTEGER NOT NULL,
    claim_ids        TEXT    NOT NULL,  -- comma-separated claim ids
    rule_ids         TEXT    NOT NULL,  -- comma-separated rule ids
    action           TEXT    NOT NULL,
    reply_message_id INTEGER,
    alert_message_id INTEGER,
    message_text     TEXT,
    created_at       REAL    NOT NULL
);
CREATE INDEX detections_message ON detections (message_id);
CREATE INDEX detections_guild_time ON detections (guild_id, created_at);
CREATE INDEX detections_author ON detections (guild_id, author_id);

CREATE TABLE false_positive_reports (
    detection_id INTEGER NOT NULL REFERENCES detections (id) ON DELETE CASCADE,
    guild_id     INTEGER NOT NULL,
    reporter_id  INTEGER NOT NULL,
    created_at   REAL    NOT NULL,
    PRIMARY KEY (detection_id, reporter_id)
);
CREATE INDEX false_positive_reports_guild ON false_positive_reports (guild_id, created_at);
