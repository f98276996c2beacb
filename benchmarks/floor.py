"""The floor: each read command's answer computed with one raw SQL query through `sqlite3`.

Every function takes a plain `sqlite3` connection and the command's arguments,
runs exactly one SQL statement (sections of an answer are UNION ALL parts,
tagged by the first column) and assembles the rows into the same canonical
form `benchmarks.commands` projects the handler's result into, so the two can
be compared for equality. Assembly is grouping and sorting of the fetched rows;
no second query, no ORM, no rendering.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Any, Sequence

STANCE_ORDER = "CASE {col} WHEN 'supports' THEN 0 WHEN 'concerned' THEN 1 WHEN 'neutral' THEN 2 WHEN 'opposes' THEN 3 ELSE 9 END"
ROLE_ORDER = "CASE {col} WHEN 'opening_remarks' THEN 0 WHEN 'moderator' THEN 1 WHEN 'panelist' THEN 2 ELSE 9 END"
TIMELINE_SOURCE = "ga-rtop-meetings"


def connect(path: str) -> sqlite3.Connection:
    """A read-only connection, as the floor needs nothing else."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


# -- /dialogue list ----------------------------------------------------------------

DIALOGUE_LIST = f"""
SELECT d.year, d.kind, d.dates, d.report_title,
       d.detailed OR EXISTS (SELECT 1 FROM positions p WHERE p.dialogue_id = d.id)
                  OR EXISTS (SELECT 1 FROM statements s WHERE s.dialogue_id = d.id)
                  OR EXISTS (SELECT 1 FROM roles r WHERE r.dialogue_id = d.id),
       (SELECT key FROM source_documents WHERE key = '{TIMELINE_SOURCE}')
FROM dialogues d ORDER BY d.year
"""


def dialogue_list(conn: sqlite3.Connection) -> Any:
    rows = conn.execute(DIALOGUE_LIST).fetchall()
    timeline = rows[0][5] if rows else None
    return tuple((y, k, dates, title, bool(detailed)) for y, k, dates, title, detailed, _ in rows), timeline


# -- /dialogue show ----------------------------------------------------------------

DIALOGUE_SHOW = f"""
WITH d AS (SELECT id, year, detailed FROM dialogues WHERE year = :year),
named AS (SELECT theme_id, count(DISTINCT actor_id) AS n, max(partial) AS partial
          FROM positions WHERE dialogue_id = (SELECT id FROM d) GROUP BY theme_id),
unnamed AS (SELECT theme_id, count(*) AS n FROM unnamed_claims WHERE dialogue_id = (SELECT id FROM d) GROUP BY theme_id),
refs AS (
  SELECT source_id FROM dialogue_claims WHERE dialogue_id = (SELECT id FROM d)
  UNION SELECT source_id FROM roles WHERE dialogue_id = (SELECT id FROM d)
  UNION SELECT source_id FROM statements WHERE dialogue_id = (SELECT id FROM d)
  UNION SELECT source_id FROM quotes WHERE dialogue_id = (SELECT id FROM d)
  UNION SELECT source_id FROM unnamed_claims WHERE dialogue_id = (SELECT id FROM d)
  UNION SELECT id FROM source_documents WHERE dialogue_year = :year)
SELECT 0, c.id, c.field, c.measure, c.value_text, s.key, NULL
  FROM dialogue_claims c JOIN source_documents s ON s.id = c.source_id WHERE c.dialogue_id = (SELECT id FROM d)
UNION ALL
SELECT 1, {ROLE_ORDER.format(col="r.role")} * 1000000000 + r.id, r.role, a.name, r.title, s.key, NULL
  FROM roles r JOIN actors a ON a.id = r.actor_id JOIN source_documents s ON s.id = r.source_id
  WHERE r.dialogue_id = (SELECT id FROM d)
UNION ALL
SELECT 2, st.id, a.name,
       (SELECT json_group_array(name) FROM (SELECT ba.name FROM statement_behalf sb JOIN actors ba ON ba.id = sb.actor_id
                                             WHERE sb.statement_id = st.id ORDER BY sb.actor_id)),
       NULL, s.key, NULL
  FROM statements st JOIN actors a ON a.id = st.actor_id JOIN source_documents s ON s.id = st.source_id
  WHERE st.dialogue_id = (SELECT id FROM d)
UNION ALL
SELECT 3, NULL, t.slug, t.name, coalesce(named.n, 0), coalesce(named.partial, 0), coalesce(unnamed.n, 0)
  FROM themes t LEFT JOIN named ON named.theme_id = t.id LEFT JOIN unnamed ON unnamed.theme_id = t.id
  WHERE named.theme_id IS NOT NULL OR unnamed.theme_id IS NOT NULL
UNION ALL
SELECT 4, q.id, a.name, NULL, NULL, s.key, NULL
  FROM quotes q JOIN actors a ON a.id = q.speaker_id JOIN source_documents s ON s.id = q.source_id
  WHERE q.dialogue_id = (SELECT id FROM d)
UNION ALL
SELECT 5, NULL, s.key, NULL, NULL, NULL, NULL FROM refs JOIN source_documents s ON s.id = refs.source_id
UNION ALL
SELECT 6, year, detailed, NULL, NULL, NULL, NULL FROM d
"""


def dialogue_show(conn: sqlite3.Connection, year: int) -> Any:
    parts: dict[int, list[tuple]] = defaultdict(list)
    for row in conn.execute(DIALOGUE_SHOW, {"year": year}):
        parts[row[0]].append(row[1:])
    if not parts[6]:
        return None
    claims = tuple((f, m, v, k) for _, f, m, v, k, _ in sorted(parts[0]))
    roles = tuple((role, actor, title, key) for _, role, actor, title, key, _ in sorted(parts[1]))
    statements = tuple((actor, tuple(json.loads(behalf)), key) for _, actor, behalf, _, key, _ in sorted(parts[2]))
    themes = sorted(parts[3], key=lambda r: (-r[3], -r[5], r[2]))
    theme_rows = tuple((slug, named, bool(partial), unnamed) for _, slug, _, named, partial, unnamed in themes)
    quotes = tuple((speaker, key) for _, speaker, _, _, key, _ in sorted(parts[4]))
    sources = tuple(sorted(r[1] for r in parts[5]))
    year_, detailed = parts[6][0][0], parts[6][0][1]
    detailed = bool(detailed or roles or statements or theme_rows)
    return year_, detailed, claims, roles, statements, theme_rows, quotes, sources


# -- /theme list -------------------------------------------------------------------

THEME_LIST = """
WITH p AS (SELECT p.theme_id, p.actor_id, d.year, p.partial FROM positions p JOIN dialogues d ON d.id = p.dialogue_id
           WHERE :year IS NULL OR d.year = :year),
u AS (SELECT u.theme_id, d.year, u.quantity, u.count FROM unnamed_claims u JOIN dialogues d ON d.id = u.dialogue_id
      WHERE :year IS NULL OR d.year = :year),
named AS (SELECT theme_id, count(DISTINCT actor_id) AS n, max(partial) AS partial FROM p GROUP BY theme_id),
years AS (SELECT theme_id, json_group_array(year) AS years FROM (SELECT DISTINCT theme_id, year FROM p UNION SELECT theme_id, year FROM u ORDER BY 1, 2) GROUP BY theme_id),
claims AS (SELECT theme_id, json_group_array(json_array(year, quantity, count)) AS claims
           FROM (SELECT * FROM u ORDER BY year, quantity) GROUP BY theme_id)
SELECT 0, t.slug, t.name, coalesce(named.n, 0), coalesce(years.years, '[]'), coalesce(named.partial, 0), coalesce(claims.claims, '[]')
  FROM themes t LEFT JOIN named ON named.theme_id = t.id LEFT JOIN years ON years.theme_id = t.id
  LEFT JOIN claims ON claims.theme_id = t.id
  WHERE :year IS NULL OR years.theme_id IS NOT NULL
UNION ALL
SELECT 1, key, NULL, NULL, NULL, NULL, NULL FROM source_documents WHERE dialogue_year IN (SELECT value FROM json_each(:years))
"""


def theme_list(conn: sqlite3.Connection, year: int | None, source_years: Sequence[int]) -> Any:
    themes, sources = [], []
    for part, slug, name, named, years, partial, claims in conn.execute(
        THEME_LIST, {"year": year, "years": json.dumps(list(source_years))}
    ):
        if part == 1:
            sources.append(slug)
            continue
        unnamed = tuple(tuple(c) for c in json.loads(claims))
        themes.append((slug, name, named, tuple(json.loads(years)), bool(partial), unnamed))
    themes.sort(key=lambda t: (-t[2], -len(t[5]), t[1]))
    return tuple((slug, named, years, partial, unnamed) for slug, _, named, years, partial, unnamed in themes), tuple(
        sorted(sources)
    )


# -- /theme states -------------------------------------------------------------------

THEME_STATES = f"""
SELECT 0, d.year, {STANCE_ORDER.format(col="p.stance")}, p.id, a.name, p.stance, p.summary, s.key, p.partial
  FROM positions p JOIN themes t ON t.id = p.theme_id JOIN dialogues d ON d.id = p.dialogue_id
  JOIN actors a ON a.id = p.actor_id JOIN source_documents s ON s.id = p.source_id
  WHERE t.slug = :slug AND (:year IS NULL OR d.year = :year)
UNION ALL
SELECT 1, d.year, 0, u.id, u.quantity, u.count, NULL, s.key, NULL
  FROM unnamed_claims u JOIN themes t ON t.id = u.theme_id JOIN dialogues d ON d.id = u.dialogue_id
  JOIN source_documents s ON s.id = u.source_id
  WHERE t.slug = :slug AND (:year IS NULL OR d.year = :year)
UNION ALL
SELECT 2, NULL, NULL, NULL, slug, NULL, NULL, NULL, NULL FROM themes WHERE slug = :slug
ORDER BY 2, 1, 3, 4
"""


def theme_states(conn: sqlite3.Connection, slug: str, year: int | None) -> Any:
    positions: dict[int, list] = defaultdict(list)
    unnamed: dict[int, list] = defaultdict(list)
    found = False
    for part, y, _, _, name, stance, summary, key, partial in conn.execute(THEME_STATES, {"slug": slug, "year": year}):
        if part == 0:
            positions[y].append((name, stance, summary, key, bool(partial)))
        elif part == 1:
            unnamed[y].append((name, stance, key))  # quantity, count, source
        else:
            found = True
    if not found:
        return None
    years = sorted(set(positions) | set(unnamed))
    return slug, tuple((y, tuple(positions[y]), tuple(unnamed[y])) for y in years)


# -- /state profile ------------------------------------------------------------------

ACTOR_PROFILE = """
WITH me AS (SELECT id, name, kind, iso3 FROM actors WHERE name = :name)
SELECT 0, 0, id, name, kind, iso3 FROM me
UNION ALL
SELECT 1, 0, a.id, a.alias, NULL, NULL FROM actor_aliases a WHERE a.actor_id = (SELECT id FROM me)
UNION ALL
SELECT 2, d.year, st.id, s.key,
       (SELECT json_group_array(name) FROM (SELECT ba.name FROM statement_behalf sb JOIN actors ba ON ba.id = sb.actor_id
                                             WHERE sb.statement_id = st.id ORDER BY sb.actor_id)), NULL
  FROM statements st JOIN dialogues d ON d.id = st.dialogue_id JOIN source_documents s ON s.id = st.source_id
  WHERE st.actor_id = (SELECT id FROM me)
UNION ALL
SELECT 3, d.year, st.id, s.key, a.name, NULL
  FROM statement_behalf sb JOIN statements st ON st.id = sb.statement_id JOIN dialogues d ON d.id = st.dialogue_id
  JOIN actors a ON a.id = st.actor_id JOIN source_documents s ON s.id = st.source_id
  WHERE sb.actor_id = (SELECT id FROM me)
UNION ALL
SELECT 4, d.year, r.id, s.key, r.role, r.title
  FROM roles r JOIN dialogues d ON d.id = r.dialogue_id JOIN source_documents s ON s.id = r.source_id
  WHERE r.actor_id = (SELECT id FROM me)
UNION ALL
SELECT 5, d.year, p.id, s.key, t.slug, p.stance
  FROM positions p JOIN dialogues d ON d.id = p.dialogue_id JOIN themes t ON t.id = p.theme_id
  JOIN source_documents s ON s.id = p.source_id
  WHERE p.actor_id = (SELECT id FROM me)
UNION ALL
SELECT 6, d.year, q.id, s.key, q.text, NULL
  FROM quotes q JOIN dialogues d ON d.id = q.dialogue_id JOIN source_documents s ON s.id = q.source_id
  WHERE q.speaker_id = (SELECT id FROM me)
ORDER BY 1, 2, 3
"""


def actor_profile(conn: sqlite3.Connection, name: str) -> Any:
    parts: dict[int, list[tuple]] = defaultdict(list)
    for part, year, _, a, b, c in conn.execute(ACTOR_PROFILE, {"name": name}):
        parts[part].append((year, a, b, c))
    if not parts[0]:
        return None
    _, actor, kind, iso3 = parts[0][0]
    return (
        actor, kind, iso3,
        tuple(alias for _, alias, _, _ in parts[1]),
        tuple((y, key, tuple(json.loads(behalf))) for y, key, behalf, _ in parts[2]),
        tuple((y, key, speaker) for y, key, speaker, _ in parts[3]),
        tuple((y, key, role, title) for y, key, role, title in parts[4]),
        tuple((y, key, slug, stance) for y, key, slug, stance in parts[5]),
        tuple((y, key, text) for y, key, text, _ in parts[6]),
    )


# -- /pillar explain, /sources -----------------------------------------------------------

PILLAR = """
SELECT 0, 0, p.name, s.key FROM pillars p JOIN source_documents s ON s.id = p.source_id WHERE p.number = :n
UNION ALL
SELECT 1, c.ordinal, c.heading, NULL FROM pillar_contributions c JOIN pillars p ON p.id = c.pillar_id WHERE p.number = :n
UNION ALL
SELECT 2, 0, t.name, t.slug FROM themes t WHERE t.pillar = :n AND EXISTS (SELECT 1 FROM pillars WHERE number = :n)
ORDER BY 1, 2, 3
"""


def pillar(conn: sqlite3.Connection, number: int) -> Any:
    parts: dict[int, list[tuple]] = defaultdict(list)
    for part, _, a, b in conn.execute(PILLAR, {"n": number}):
        parts[part].append((a, b))
    if not parts[0]:
        return None
    name, key = parts[0][0]
    return number, name, key, tuple(h for h, _ in parts[1]), tuple(slug for _, slug in parts[2])


SOURCES = "SELECT key FROM source_documents ORDER BY dialogue_year IS NULL, dialogue_year, key"


def sources(conn: sqlite3.Connection) -> Any:
    return tuple(key for (key,) in conn.execute(SOURCES))


# -- /ask, by what the question asks -------------------------------------------------------

ASK_THEME = """
SELECT s.key, p.excerpt FROM positions p JOIN themes t ON t.id = p.theme_id JOIN dialogues d ON d.id = p.dialogue_id
  JOIN source_documents s ON s.id = p.source_id WHERE t.slug = :slug AND (:year IS NULL OR d.year = :year)
UNION
SELECT s.key, u.excerpt FROM unnamed_claims u JOIN themes t ON t.id = u.theme_id JOIN dialogues d ON d.id = u.dialogue_id
  JOIN source_documents s ON s.id = u.source_id WHERE t.slug = :slug AND (:year IS NULL OR d.year = :year)
"""
ASK_BEHALF = """
SELECT s.key, st.excerpt FROM statement_behalf sb JOIN actors a ON a.id = sb.actor_id
  JOIN statements st ON st.id = sb.statement_id JOIN source_documents s ON s.id = st.source_id
  WHERE a.name = :name
"""
ASK_ACTOR = """
WITH me AS (SELECT id FROM actors WHERE name = :name), d AS (SELECT id FROM dialogues WHERE year = :year)
SELECT s.key, st.excerpt FROM statements st JOIN source_documents s ON s.id = st.source_id
  WHERE st.actor_id = (SELECT id FROM me) AND st.dialogue_id = (SELECT id FROM d)
UNION SELECT s.key, r.excerpt FROM roles r JOIN source_documents s ON s.id = r.source_id
  WHERE r.actor_id = (SELECT id FROM me) AND r.dialogue_id = (SELECT id FROM d)
UNION SELECT s.key, p.excerpt FROM positions p JOIN source_documents s ON s.id = p.source_id
  WHERE p.actor_id = (SELECT id FROM me) AND p.dialogue_id = (SELECT id FROM d)
UNION SELECT s.key, q.text FROM quotes q JOIN source_documents s ON s.id = q.source_id
  WHERE q.speaker_id = (SELECT id FROM me) AND q.dialogue_id = (SELECT id FROM d)
"""
ASK_REPORT = """
SELECT s.key, c.excerpt FROM dialogue_claims c JOIN dialogues d ON d.id = c.dialogue_id
  JOIN source_documents s ON s.id = c.source_id WHERE d.year = :year AND c.field LIKE 'report\\_%' ESCAPE '\\'
"""
ASK_SEARCH = """
SELECT s.key, p.ordinal, (SELECT count(*) FROM passages x WHERE x.source_id = p.source_id), p.text
  FROM (SELECT rowid, bm25(passages_fts) AS rank FROM passages_fts WHERE passages_fts MATCH :match ORDER BY rank, rowid LIMIT 3) hit
  JOIN passages p ON p.id = hit.rowid JOIN source_documents s ON s.id = p.source_id
  ORDER BY hit.rank, p.id
"""
ASK = {"theme_count": ASK_THEME, "theme_actors": ASK_THEME, "behalf": ASK_BEHALF, "actor_said": ASK_ACTOR,
       "report": ASK_REPORT}


def ask(conn: sqlite3.Connection, kind: str, params: dict[str, Any]) -> Any:
    """(kind, evidence as a set of (source key, excerpt), hits as (source key, ordinal, passages in source))."""
    if kind == "search":
        rows = conn.execute(ASK_SEARCH, params).fetchall()
        if not rows:
            return "nothing", frozenset(), ()
        return kind, frozenset((k, text) for k, _, _, text in rows), tuple((k, o, n) for k, o, n, _ in rows)
    rows = conn.execute(ASK[kind], params).fetchall()
    return kind, frozenset((k, " ".join(e.split())) for k, e in rows), ()
