"""bancho.py's tables as SQLAlchemy Core metadata (bancho-spec §5.3).

One definition serves SQLite, MariaDB/MySQL and PostgreSQL. On MySQL the column types are exactly those of
bancho.py's `base.sql` (unsigned ints, FLOAT(M,D), enums, utf8 varchars) so an existing bancho.py database
is served in place; the other engines get the closest portable type. Index names follow base.sql so that
`db upgrade` recognises the indexes an existing database already has.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeEngine

metadata = MetaData()


def _uint() -> TypeEngine[int]:
    return Integer().with_variant(mysql.INTEGER(unsigned=True), "mysql", "mariadb")


def _ubigint() -> TypeEngine[int]:
    return BigInteger().with_variant(mysql.BIGINT(unsigned=True), "mysql", "mariadb")


def _tinyint(display: int | None = None) -> TypeEngine[int]:
    return SmallInteger().with_variant(mysql.TINYINT(display), "mysql", "mariadb")


def _float(precision: int, scale: int) -> TypeEngine[float]:
    return Float().with_variant(mysql.FLOAT(precision, scale), "mysql", "mariadb")


def _char(length: int) -> TypeEngine[str]:
    return String(length).with_variant(mysql.CHAR(length), "mysql", "mariadb")


def _varchar_utf8(length: int) -> TypeEngine[str]:
    return String(length).with_variant(mysql.VARCHAR(length, charset="utf8"), "mysql", "mariadb")


def _id_pk_bigint() -> TypeEngine[int]:
    # SQLite only auto-increments an INTEGER PRIMARY KEY.
    return (
        BigInteger()
        .with_variant(mysql.BIGINT(unsigned=True), "mysql", "mariadb")
        .with_variant(Integer(), "sqlite")
    )


def _server_enum(name: str) -> Enum:
    return Enum("osu!", "private", name=name, native_enum=True, create_constraint=False)


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", _varchar_utf8(32), nullable=False),
    Column("safe_name", _varchar_utf8(32), nullable=False),
    Column("email", String(254), nullable=False),
    Column("priv", Integer, nullable=False, server_default="1"),
    Column("pw_bcrypt", _char(60), nullable=False),
    Column("country", _char(2), nullable=False, server_default="xx"),
    Column("silence_end", Integer, nullable=False, server_default="0"),
    Column("donor_end", Integer, nullable=False, server_default="0"),
    Column("creation_time", Integer, nullable=False, server_default="0"),
    Column("latest_activity", Integer, nullable=False, server_default="0"),
    Column("clan_id", Integer, nullable=False, server_default="0"),
    Column("clan_priv", _tinyint(1), nullable=False, server_default="0"),
    Column("preferred_mode", Integer, nullable=False, server_default="0"),
    Column("play_style", Integer, nullable=False, server_default="0"),
    Column("custom_badge_name", _varchar_utf8(16), nullable=True),
    Column("custom_badge_icon", String(64), nullable=True),
    Column("userpage_content", _varchar_utf8(2048), nullable=True),
    Column("api_key", _char(36), nullable=True),
    UniqueConstraint("name", name="users_name_uindex"),
    UniqueConstraint("safe_name", name="users_safe_name_uindex"),
    UniqueConstraint("email", name="users_email_uindex"),
    UniqueConstraint("api_key", name="users_api_key_uindex"),
    Index("users_priv_index", "priv"),
    Index("users_clan_id_index", "clan_id"),
    Index("users_clan_priv_index", "clan_priv"),
    Index("users_country_index", "country"),
    sqlite_autoincrement=True,
)

stats = Table(
    "stats",
    metadata,
    Column("id", Integer, nullable=False, autoincrement=False),
    Column("mode", _tinyint(1), nullable=False, autoincrement=False),
    Column("tscore", _ubigint(), nullable=False, server_default="0"),
    Column("rscore", _ubigint(), nullable=False, server_default="0"),
    Column("pp", _uint(), nullable=False, server_default="0"),
    Column("plays", _uint(), nullable=False, server_default="0"),
    Column("playtime", _uint(), nullable=False, server_default="0"),
    Column("acc", _float(6, 3), nullable=False, server_default="0.000"),
    Column("max_combo", _uint(), nullable=False, server_default="0"),
    Column("total_hits", _uint(), nullable=False, server_default="0"),
    Column("replay_views", _uint(), nullable=False, server_default="0"),
    Column("xh_count", _uint(), nullable=False, server_default="0"),
    Column("x_count", _uint(), nullable=False, server_default="0"),
    Column("sh_count", _uint(), nullable=False, server_default="0"),
    Column("s_count", _uint(), nullable=False, server_default="0"),
    Column("a_count", _uint(), nullable=False, server_default="0"),
    PrimaryKeyConstraint("id", "mode"),
    Index("stats_mode_index", "mode"),
    Index("stats_pp_index", "pp"),
    Index("stats_tscore_index", "tscore"),
    Index("stats_rscore_index", "rscore"),
)

scores = Table(
    "scores",
    metadata,
    Column("id", _id_pk_bigint(), primary_key=True, autoincrement=True),
    Column("map_md5", _char(32), nullable=False),
    Column("score", Integer, nullable=False),
    Column("pp", _float(7, 3), nullable=False),
    Column("acc", _float(6, 3), nullable=False),
    Column("max_combo", Integer, nullable=False),
    Column("mods", Integer, nullable=False),
    Column("n300", Integer, nullable=False),
    Column("n100", Integer, nullable=False),
    Column("n50", Integer, nullable=False),
    Column("nmiss", Integer, nullable=False),
    Column("ngeki", Integer, nullable=False),
    Column("nkatu", Integer, nullable=False),
    Column("grade", String(2), nullable=False, server_default="N"),
    Column("status", _tinyint(), nullable=False),
    Column("mode", _tinyint(), nullable=False),
    Column("play_time", DateTime, nullable=False),
    Column("time_elapsed", Integer, nullable=False),
    Column("client_flags", Integer, nullable=False),
    Column("userid", Integer, nullable=False),
    Column("perfect", _tinyint(1), nullable=False),
    Column("online_checksum", _char(32), nullable=False),
    Index("scores_map_md5_index", "map_md5"),
    Index("scores_score_index", "score"),
    Index("scores_pp_index", "pp"),
    Index("scores_mods_index", "mods"),
    Index("scores_status_index", "status"),
    Index("scores_mode_index", "mode"),
    Index("scores_play_time_index", "play_time"),
    Index("scores_userid_index", "userid"),
    Index("scores_online_checksum_index", "online_checksum"),
    Index("scores_fetch_leaderboard_generic_index", "map_md5", "status", "mode"),
)

maps = Table(
    "maps",
    metadata,
    Column("server", _server_enum("map_server"), nullable=False, server_default="osu!"),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("set_id", Integer, nullable=False),
    Column("status", Integer, nullable=False),
    Column("md5", _char(32), nullable=False),
    Column("artist", _varchar_utf8(128), nullable=False),
    Column("title", _varchar_utf8(128), nullable=False),
    Column("version", _varchar_utf8(128), nullable=False),
    Column("creator", _varchar_utf8(19), nullable=False),
    Column("filename", _varchar_utf8(256), nullable=False),
    Column("last_update", DateTime, nullable=False),
    Column("total_length", Integer, nullable=False),
    Column("max_combo", Integer, nullable=False),
    Column("frozen", _tinyint(1), nullable=False, server_default="0"),
    Column("plays", Integer, nullable=False, server_default="0"),
    Column("passes", Integer, nullable=False, server_default="0"),
    Column("mode", _tinyint(1), nullable=False, server_default="0"),
    Column("bpm", _float(12, 2), nullable=False, server_default="0"),
    Column("cs", _float(4, 2), nullable=False, server_default="0"),
    Column("ar", _float(4, 2), nullable=False, server_default="0"),
    Column("od", _float(4, 2), nullable=False, server_default="0"),
    Column("hp", _float(4, 2), nullable=False, server_default="0"),
    Column("diff", _float(6, 3), nullable=False, server_default="0"),
    UniqueConstraint("md5", name="maps_md5_uindex"),
    Index("maps_set_id_index", "set_id"),
    Index("maps_status_index", "status"),
    Index("maps_filename_index", "filename"),
    Index("maps_plays_index", "plays"),
    Index("maps_mode_index", "mode"),
    Index("maps_frozen_index", "frozen"),
)

mapsets = Table(
    "mapsets",
    metadata,
    Column("server", _server_enum("mapset_server"), nullable=False, server_default="osu!"),
    Column("id", Integer, nullable=False, autoincrement=False),
    Column("last_osuapi_check", DateTime, nullable=False, server_default=func.current_timestamp()),
    PrimaryKeyConstraint("server", "id"),
    UniqueConstraint("id", name="nmapsets_id_uindex"),
)

clans = Table(
    "clans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", _varchar_utf8(16), nullable=False),
    Column("tag", _varchar_utf8(6), nullable=False),
    Column("owner", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("name", name="clans_name_uindex"),
    UniqueConstraint("tag", name="clans_tag_uindex"),
    UniqueConstraint("owner", name="clans_owner_uindex"),
)

tourney_pools = Table(
    "tourney_pools",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, nullable=False),
    Index("tourney_pools_users_id_fk", "created_by"),
)

tourney_pool_maps = Table(
    "tourney_pool_maps",
    metadata,
    Column("map_id", Integer, nullable=False, autoincrement=False),
    Column("pool_id", Integer, nullable=False, autoincrement=False),
    Column("mods", Integer, nullable=False),
    Column("slot", _tinyint(), nullable=False),
    PrimaryKeyConstraint("map_id", "pool_id"),
    Index("tourney_pool_maps_mods_slot_index", "mods", "slot"),
    Index("tourney_pool_maps_tourney_pools_id_fk", "pool_id"),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(32), nullable=False),
    Column("topic", String(256), nullable=False),
    Column("read_priv", Integer, nullable=False, server_default="1"),
    Column("write_priv", Integer, nullable=False, server_default="2"),
    Column("auto_join", _tinyint(1), nullable=False, server_default="0"),
    UniqueConstraint("name", name="channels_name_uindex"),
    Index("channels_auto_join_index", "auto_join"),
)

achievements = Table(
    "achievements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file", String(128), nullable=False),
    Column("name", _varchar_utf8(128), nullable=False),
    Column("desc", _varchar_utf8(256), nullable=False),
    Column("cond", String(64), nullable=False),
    UniqueConstraint("file", name="achievements_file_uindex"),
    UniqueConstraint("name", name="achievements_name_uindex"),
    UniqueConstraint("desc", name="achievements_desc_uindex"),
)

user_achievements = Table(
    "user_achievements",
    metadata,
    Column("userid", Integer, nullable=False, autoincrement=False),
    Column("achid", Integer, nullable=False, autoincrement=False),
    PrimaryKeyConstraint("userid", "achid"),
    Index("user_achievements_achid_index", "achid"),
    Index("user_achievements_userid_index", "userid"),
)

relationships = Table(
    "relationships",
    metadata,
    Column("user1", Integer, nullable=False, autoincrement=False),
    Column("user2", Integer, nullable=False, autoincrement=False),
    Column(
        "type", Enum("friend", "block", name="relationship_type", create_constraint=False), nullable=False
    ),
    PrimaryKeyConstraint("user1", "user2"),
)

client_hashes = Table(
    "client_hashes",
    metadata,
    Column("userid", Integer, nullable=False, autoincrement=False),
    Column("osupath", _char(32), nullable=False),
    Column("adapters", _char(32), nullable=False),
    Column("uninstall_id", _char(32), nullable=False),
    Column("disk_serial", _char(32), nullable=False),
    Column("latest_time", DateTime, nullable=False),
    Column("occurrences", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("userid", "osupath", "adapters", "uninstall_id", "disk_serial"),
)

ingame_logins = Table(
    "ingame_logins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("userid", Integer, nullable=False),
    Column("ip", String(45), nullable=False),
    Column("osu_ver", Date, nullable=False),
    Column("osu_stream", String(11), nullable=False),
    Column("datetime", DateTime, nullable=False),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target_id", Integer, nullable=False),
    Column(
        "target_type",
        Enum("replay", "map", "song", name="comment_target_type", create_constraint=False),
        nullable=False,
    ),
    Column("userid", Integer, nullable=False),
    Column("time", Integer, nullable=False),
    Column("comment", _varchar_utf8(80), nullable=False),
    Column("colour", _char(6), nullable=True),
)

favourites = Table(
    "favourites",
    metadata,
    Column("userid", Integer, nullable=False, autoincrement=False),
    Column("setid", Integer, nullable=False, autoincrement=False),
    Column("created_at", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("userid", "setid"),
)

logs = Table(
    "logs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("from", Integer, nullable=False),
    Column("to", Integer, nullable=False),
    Column("action", String(32), nullable=False),
    Column("msg", _varchar_utf8(2048), nullable=True),
    Column("time", DateTime, nullable=False, server_default=func.current_timestamp()),
)

mail = Table(
    "mail",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("from_id", Integer, nullable=False),
    Column("to_id", Integer, nullable=False),
    Column("msg", _varchar_utf8(2048), nullable=False),
    Column("time", Integer, nullable=True),
    Column("read", _tinyint(1), nullable=False, server_default="0"),
)

map_requests = Table(
    "map_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("map_id", Integer, nullable=False),
    Column("player_id", Integer, nullable=False),
    Column("datetime", DateTime, nullable=False),
    Column("active", _tinyint(1), nullable=False),
)

performance_reports = Table(
    "performance_reports",
    metadata,
    Column("scoreid", _ubigint(), nullable=False, autoincrement=False),
    Column(
        "mod_mode",
        Enum("vanilla", "relax", "autopilot", name="performance_mod_mode", create_constraint=False),
        nullable=False,
        server_default="vanilla",
    ),
    Column("os", String(64), nullable=False),
    Column("fullscreen", _tinyint(1), nullable=False),
    Column("fps_cap", String(16), nullable=False),
    Column("compatibility", _tinyint(1), nullable=False),
    Column("version", String(16), nullable=False),
    Column("start_time", Integer, nullable=False),
    Column("end_time", Integer, nullable=False),
    Column("frame_count", Integer, nullable=False),
    Column("spike_frames", Integer, nullable=False),
    Column("aim_rate", Integer, nullable=False),
    Column("completion", _tinyint(1), nullable=False),
    Column("identifier", String(128), nullable=True),
    Column("average_frametime", Integer, nullable=False),
    PrimaryKeyConstraint("scoreid", "mod_mode"),
)

ratings = Table(
    "ratings",
    metadata,
    Column("userid", Integer, nullable=False, autoincrement=False),
    Column("map_md5", _char(32), nullable=False),
    Column("rating", _tinyint(2), nullable=False),
    PrimaryKeyConstraint("userid", "map_md5"),
)

startups = Table(
    "startups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ver_major", _tinyint(), nullable=False),
    Column("ver_minor", _tinyint(), nullable=False),
    Column("ver_micro", _tinyint(), nullable=False),
    Column("datetime", DateTime, nullable=False),
)

# Indexes hitcircle adds for the developer API's queries (bancho.py has none of these).
Index("hc_scores_userid_mode_status_index", scores.c.userid, scores.c.mode, scores.c.status)
Index("hc_stats_mode_pp_index", stats.c.mode, stats.c.pp)

#: get_leaderboard reads pages in these indexes' order (migration 0002)
LEADERBOARD_INDEXES: tuple[Index, ...] = tuple(
    Index(f"hc_stats_board_{column}_index", stats.c.mode, stats.c[column].desc(), stats.c.id)
    for column in ("pp", "tscore", "rscore", "acc", "plays", "playtime")
)

#: get_player_scores (best, recent) and get_map_scores (by score, by pp) read pages in index order
#: (migration 0003)
SCORE_LISTING_INDEXES: tuple[Index, ...] = (
    Index("hc_scores_user_best_index", scores.c.userid, scores.c.mode, scores.c.status, scores.c.pp.desc()),
    Index(
        "hc_scores_user_recent_index",
        scores.c.userid,
        scores.c.mode,
        scores.c.play_time.desc(),
        scores.c.id.desc(),
    ),
    Index(
        "hc_scores_map_score_index", scores.c.map_md5, scores.c.mode, scores.c.status, scores.c.score.desc()
    ),
    Index("hc_scores_map_pp_index", scores.c.map_md5, scores.c.mode, scores.c.status, scores.c.pp.desc()),
)

#: get_player_most_played counts a player's scores per map from this index alone (migration 0004)
MOST_PLAYED_INDEXES: tuple[Index, ...] = (
    Index("hc_scores_user_maps_index", scores.c.userid, scores.c.mode, scores.c.map_md5),
)
