-- A store as lcme wrote it before schema 2 (flag kept as 0/1, result
-- without coverage), for tests/e2e/comparisons.sh: one unit, two
-- observations of 2019, one of them flagged.
CREATE TABLE source(name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, rows INTEGER NOT NULL,
                    loaded TEXT NOT NULL);
CREATE TABLE unit(code TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
CREATE TABLE unit_attr(code TEXT NOT NULL REFERENCES unit(code) ON DELETE CASCADE,
                       attr TEXT NOT NULL, value TEXT NOT NULL,
                       PRIMARY KEY (code, attr)) WITHOUT ROWID;
CREATE TABLE observation(unit TEXT NOT NULL REFERENCES unit(code), year INTEGER NOT NULL,
                         indicator TEXT NOT NULL, value REAL NOT NULL, se REAL, n REAL,
                         lower REAL, upper REAL, flag INTEGER NOT NULL DEFAULT 0,
                         source TEXT NOT NULL REFERENCES source(name), line INTEGER,
                         loaded TEXT NOT NULL,
                         PRIMARY KEY (unit, year, indicator)) WITHOUT ROWID;
CREATE INDEX observation_source ON observation(source, year);
CREATE TABLE run(id TEXT PRIMARY KEY, batch TEXT NOT NULL, year INTEGER NOT NULL,
                 started TEXT NOT NULL, settings TEXT, seed INTEGER NOT NULL,
                 engine_version TEXT NOT NULL, input_sha256 TEXT,
                 status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')));
CREATE INDEX run_started ON run(started, id);
CREATE TABLE result(run TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    unit TEXT NOT NULL, year INTEGER NOT NULL, node TEXT NOT NULL,
                    level INTEGER NOT NULL, score REAL NOT NULL, ci_low REAL, ci_high REAL,
                    rank REAL, rank_low REAL, rank_high REAL,
                    PRIMARY KEY (run, node, year, unit)) WITHOUT ROWID;
INSERT INTO source VALUES ('old.csv', 'aaaa', 2, '2020-01-01T00:00:00Z');
INSERT INTO unit VALUES ('U', '');
INSERT INTO observation VALUES ('U', 2019, 'i1', 45, NULL, NULL, NULL, NULL, 1, 'old.csv', 2,
                                '2020-01-01T00:00:00Z');
INSERT INTO observation VALUES ('U', 2019, 'i2', 60, NULL, NULL, NULL, NULL, 0, 'old.csv', 3,
                                '2020-01-01T00:00:00Z');
PRAGMA user_version = 1;
