"""The schema, as numbered migrations driven by `PRAGMA user_version`.

Each migration is a function that takes the connection inside the write transaction that also
sets `user_version`, so a migration is applied whole or not at all. Migrations are only ever
appended: a released one is never edited.

sqlite-utils creates the plain tables and indexes; raw SQL is used where sqlite-utils cannot say
what we need: CHECK constraints (the impossible states of the identity record), partial indexes
and triggers (append-only tables, version bumps, the audit chain link).

Impossible states made impossible by the schema (named constraints, mapped to French messages
in `errors.CONSTRAINT_MESSAGES`):

- an INS (matricule + OID) on anything but RECUP/QUAL, and RECUP/QUAL without one;
- a matricule without its OID (or the reverse); a matricule that is not 15 characters;
- DOUT together with FICT; DOUT or FICT with a status other than PROV;
- RECUP/QUAL with a corrected birth date, or with the local sex "I";
- two records holding the same current matricule (partial UNIQUE index);
- a change of an identity that does not bump its version by exactly one, a change of its IPP,
  any change to a record merged into another, a deleted identity;
- any UPDATE or DELETE of the audit log, of the INS history and of the INSi call log; an audit
  row that does not link to the previous one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from insterm.store.connection import write_transaction
from insterm.store.errors import SchemaMismatch

if TYPE_CHECKING:
    from sqlite_utils import Database

GENESIS_HASH = "0" * 64


def _sqlite_utils(conn: sqlite3.Connection) -> Database:
    import sqlite_utils  # here, not at the top: `insterm lookup` reads CURRENT_VERSION only

    return sqlite_utils.Database(conn, execute_plugins=False)


def _refuse(table: str, action: str, message: str) -> str:
    message = message.replace("'", "''")
    return (f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'insterm: {message}'); END;")


def _v1_core(conn: sqlite3.Connection) -> None:
    """Operators, identities (with search keys), the audit log, settings."""
    db = _sqlite_utils(conn)
    db.table("settings").create({"key": str, "value": str}, pk="key", not_null={"value"})
    statements = [
        """
        CREATE TABLE operator (
            id INTEGER PRIMARY KEY,
            login TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CONSTRAINT operator_role_known CHECK (role IN ('admin', 'staff')),
            rpps TEXT,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        )""",
        _refuse("operator", "DELETE",
                "un opérateur ne se supprime pas (le journal le cite) : désactivez-le."),
        """
        CREATE TABLE identity (
            id INTEGER PRIMARY KEY,
            ipp TEXT NOT NULL UNIQUE,
            birth_name TEXT NOT NULL,
            first_name TEXT NOT NULL,
            first_names TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            birth_date_corrected INTEGER NOT NULL DEFAULT 0,
            birth_date_raw TEXT,
            sex TEXT NOT NULL,
            birth_place TEXT,
            used_name TEXT,
            used_first_name TEXT,
            status TEXT NOT NULL DEFAULT 'PROV',
            dout INTEGER NOT NULL DEFAULT 0,
            fict INTEGER NOT NULL DEFAULT 0,
            homa INTEGER NOT NULL DEFAULT 0,
            matricule TEXT,
            oid TEXT,
            channel TEXT NOT NULL DEFAULT 'SM',
            merged_into INTEGER REFERENCES identity(id),
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES operator(id),
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES operator(id),
            k_birth_name TEXT NOT NULL,
            k_used_name TEXT,
            k_first_name TEXT NOT NULL,
            k_used_first_name TEXT,
            p_birth_name TEXT NOT NULL,
            p_used_name TEXT,
            p_first_name TEXT NOT NULL,
            CONSTRAINT identity_names_present CHECK (
                length(birth_name) > 0 AND length(first_name) > 0 AND length(first_names) > 0),
            CONSTRAINT identity_status_known CHECK (status IN ('PROV', 'RECUP', 'VALI', 'QUAL')),
            CONSTRAINT identity_sex_known CHECK (sex IN ('M', 'F', 'I')),
            CONSTRAINT identity_flags_boolean CHECK (
                dout IN (0, 1) AND fict IN (0, 1) AND homa IN (0, 1)
                AND birth_date_corrected IN (0, 1)),
            CONSTRAINT identity_not_dout_and_fict CHECK (NOT (dout = 1 AND fict = 1)),
            CONSTRAINT identity_dout_fict_only_prov CHECK (
                (dout = 0 AND fict = 0) OR status = 'PROV'),
            CONSTRAINT identity_ins_with_oid CHECK ((matricule IS NULL) = (oid IS NULL)),
            CONSTRAINT identity_ins_needs_recup_or_qual CHECK (
                matricule IS NULL OR status IN ('RECUP', 'QUAL')),
            CONSTRAINT identity_recup_qual_need_ins CHECK (
                status NOT IN ('RECUP', 'QUAL') OR matricule IS NOT NULL),
            CONSTRAINT identity_matricule_form CHECK (
                matricule IS NULL OR (length(matricule) = 15
                    AND substr(matricule, 1, 6) GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]'
                    AND substr(matricule, 7, 1) GLOB '[0-9AB]'
                    AND substr(matricule, 8) GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]')),
            CONSTRAINT identity_corrected_date_not_ins CHECK (
                birth_date_corrected = 0 OR status NOT IN ('RECUP', 'QUAL')),
            CONSTRAINT identity_sex_i_not_ins CHECK (sex <> 'I' OR status NOT IN ('RECUP', 'QUAL')),
            CONSTRAINT identity_birth_date_iso CHECK (
                birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
            CONSTRAINT identity_birth_place_form CHECK (
                birth_place IS NULL OR length(birth_place) = 5),
            CONSTRAINT identity_not_merged_into_itself CHECK (merged_into IS NULL OR merged_into <> id)
        )""",
        # The current matricule is held by one record at most.
        "CREATE UNIQUE INDEX identity_matricule_unique ON identity(matricule) "
        "WHERE matricule IS NOT NULL",
        # Prefix search on names, in display order (name, first name, birth date).
        "CREATE INDEX identity_k_birth_name ON identity(k_birth_name, k_first_name, birth_date)",
        "CREATE INDEX identity_k_used_name ON identity(k_used_name, k_first_name) "
        "WHERE k_used_name IS NOT NULL",
        # NOM + used first name (rare: a small partial index keeps that search in the index).
        "CREATE INDEX identity_k_used_first_name ON identity(k_birth_name, k_used_first_name) "
        "WHERE k_used_first_name IS NOT NULL",
        # Phonetic search (in display order within one phonetic key, so a page of a large
        # phonetic group needs no sort) and duplicate candidates (p_first_name checked in the
        # index itself).
        "CREATE INDEX identity_p_birth_name ON identity("
        "p_birth_name, k_birth_name, k_first_name, p_first_name)",
        "CREATE INDEX identity_p_used_name ON identity("
        "p_used_name, k_birth_name, k_first_name, p_first_name) WHERE p_used_name IS NOT NULL",
        # Birth date alone, name + birth date, duplicate candidates.
        "CREATE INDEX identity_birth_date ON identity(birth_date)",
        """
        CREATE TRIGGER identity_version_bump BEFORE UPDATE ON identity
        WHEN NEW.version IS NOT OLD.version + 1
        BEGIN SELECT RAISE(ABORT, 'insterm: toute modification d''un dossier augmente sa """
        """version de 1 (modification refusée).'); END""",
        """
        CREATE TRIGGER identity_ipp_immutable BEFORE UPDATE OF ipp ON identity
        WHEN NEW.ipp IS NOT OLD.ipp
        BEGIN SELECT RAISE(ABORT, 'insterm: l''IPP d''un dossier ne change jamais.'); END""",
        """
        CREATE TRIGGER identity_merged_frozen BEFORE UPDATE ON identity
        WHEN OLD.merged_into IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'insterm: ce dossier a été fusionné dans un autre : il est """
        """conservé tel quel ; modifiez le dossier principal.'); END""",
        _refuse("identity", "DELETE",
                "un dossier ne se supprime jamais : fusionnez-le avec le bon dossier."),
        """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            operator TEXT,
            action TEXT NOT NULL,
            identity_id INTEGER,
            details TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX audit_identity ON audit(identity_id)",
        _refuse("audit", "UPDATE", "le journal d'audit est en ajout seul : modification refusée."),
        _refuse("audit", "DELETE", "le journal d'audit est en ajout seul : suppression refusée."),
        f"""
        CREATE TRIGGER audit_chain_link BEFORE INSERT ON audit
        WHEN NEW.prev_hash IS NOT coalesce(
                (SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '{GENESIS_HASH}')
          OR NEW.id IS NOT coalesce((SELECT max(id) FROM audit), 0) + 1
        BEGIN SELECT RAISE(ABORT, 'insterm: une ligne du journal d''audit doit suivre la """
        """précédente.'); END""",
    ]
    for statement in statements:
        conn.execute(statement)


def _v2_traceability(conn: sqlite3.Connection) -> None:
    """INSi calls, INS history (as received), document checks."""
    db = _sqlite_utils(conn)
    db.table("insi_call").create(
        {
            "id": int, "message_id": str, "operation": str, "identity_id": int,
            "traits_sent": str, "cr_code": str, "fault": str, "duration_ms": int,
            "request_xml": str, "response_xml": str, "environment": str,
            "operator_id": int, "at": str,
        },
        pk="id",
        not_null={"operation", "at"},
        foreign_keys=[("identity_id", "identity", "id"), ("operator_id", "operator", "id")],
    )
    db.table("insi_call").create_index(["identity_id"], index_name="insi_call_identity")
    db.table("ins_history").create(
        {
            "id": int, "identity_id": int, "matricule": str, "oid": str,
            "date_start": str, "date_end": str, "active": int, "insi_call_id": int,
            "received_at": str,
        },
        pk="id",
        not_null={"identity_id", "matricule", "oid", "active", "received_at"},
        foreign_keys=[("identity_id", "identity", "id"), ("insi_call_id", "insi_call", "id")],
    )
    db.table("ins_history").create_index(["identity_id"], index_name="ins_history_identity")
    db.table("ins_history").create_index(["matricule"], index_name="ins_history_matricule")
    statements = [
        _refuse("insi_call", "UPDATE", "le journal des appels INSi est en ajout seul."),
        _refuse("insi_call", "DELETE", "le journal des appels INSi est en ajout seul."),
        _refuse("ins_history", "UPDATE", "l'historique des INS est conservé tel que reçu."),
        _refuse("ins_history", "DELETE", "l'historique des INS est conservé tel que reçu."),
        """
        CREATE TABLE document_check (
            id INTEGER PRIMARY KEY,
            identity_id INTEGER NOT NULL REFERENCES identity(id),
            document_type TEXT NOT NULL,
            expires_on TEXT,
            outcome TEXT NOT NULL CONSTRAINT document_check_outcome_known
                CHECK (outcome IN ('ok', 'mismatch')),
            note TEXT,
            operator_id INTEGER REFERENCES operator(id),
            at TEXT NOT NULL
        )""",
        "CREATE INDEX document_check_identity ON document_check(identity_id)",
        _refuse("document_check", "UPDATE", "un contrôle de document enregistré ne change plus."),
        _refuse("document_check", "DELETE", "un contrôle de document enregistré ne change plus."),
    ]
    for statement in statements:
        conn.execute(statement)


def _v3_duplicates(conn: sqlite3.Connection) -> None:
    """Duplicate links: potential, confirmed, not-a-duplicate, merged."""
    statements = [
        """
        CREATE TABLE duplicate_link (
            id INTEGER PRIMARY KEY,
            identity_a INTEGER NOT NULL REFERENCES identity(id),
            identity_b INTEGER NOT NULL REFERENCES identity(id),
            state TEXT NOT NULL CONSTRAINT duplicate_link_state_known
                CHECK (state IN ('potential', 'confirmed', 'not_duplicate', 'merged')),
            score INTEGER NOT NULL,
            reasons TEXT NOT NULL,
            found_at TEXT NOT NULL,
            decided_by INTEGER REFERENCES operator(id),
            decided_at TEXT,
            CONSTRAINT duplicate_link_ordered CHECK (identity_a < identity_b),
            UNIQUE (identity_a, identity_b)
        )""",
        "CREATE INDEX duplicate_link_b ON duplicate_link(identity_b)",
    ]
    for statement in statements:
        conn.execute(statement)


def _v4_operator_login_and_journal(conn: sqlite3.Connection) -> None:
    """The OS login an operator's sessions are mapped from; indexes for the journal filters
    (operator, action, date), each read newest first; the open duplicate links in the order
    the Doublons screen lists them (a whole-base scan may add tens of thousands)."""
    statements = [
        "ALTER TABLE operator ADD COLUMN os_login TEXT",
        # One operator per OS login (several operators may have none).
        "CREATE UNIQUE INDEX operator_os_login_unique ON operator(os_login) "
        "WHERE os_login IS NOT NULL",
        "CREATE INDEX audit_operator ON audit(operator)",
        "CREATE INDEX audit_action ON audit(action)",
        "CREATE INDEX audit_at ON audit(at)",
        "CREATE INDEX duplicate_link_open ON duplicate_link(found_at, id) "
        "WHERE state = 'potential'",
    ]
    for statement in statements:
        conn.execute(statement)


def _v5_patient_information(conn: sqlite3.Connection) -> None:
    """When and how each patient was told that their INS is used (append only: a later
    information is a new row; the last one is what the record shows)."""
    statements = [
        """
        CREATE TABLE patient_information (
            id INTEGER PRIMARY KEY,
            identity_id INTEGER NOT NULL REFERENCES identity(id),
            informed_on TEXT NOT NULL,
            how TEXT NOT NULL CONSTRAINT patient_information_how_known
                CHECK (how IN ('oral', 'affiche', 'document')),
            operator_id INTEGER REFERENCES operator(id),
            at TEXT NOT NULL
        )""",
        "CREATE INDEX patient_information_identity ON patient_information(identity_id, id)",
        _refuse("patient_information", "UPDATE", "une information enregistrée ne change plus."),
        _refuse("patient_information", "DELETE", "une information enregistrée ne change plus."),
    ]
    for statement in statements:
        conn.execute(statement)


def _v6_insi_pending(conn: sqlite3.Connection) -> None:
    """INSi calls to make again later (the service was down): one open item per identity and
    operation; an item leaves the list when INSi answers (answered_at), and stays as a record."""
    statements = [
        """
        CREATE TABLE insi_pending (
            id INTEGER PRIMARY KEY,
            identity_id INTEGER NOT NULL REFERENCES identity(id),
            operation TEXT NOT NULL CONSTRAINT insi_pending_operation_known
                CHECK (operation IN ('search', 'verify')),
            matricule TEXT,
            oid TEXT,
            reason TEXT NOT NULL,
            added_at TEXT NOT NULL,
            added_by INTEGER REFERENCES operator(id),
            tries INTEGER NOT NULL DEFAULT 0,
            last_try_at TEXT,
            last_outcome TEXT,
            answered_at TEXT,
            answer_code TEXT
        )""",
        "CREATE UNIQUE INDEX insi_pending_open ON insi_pending(identity_id, operation) "
        "WHERE answered_at IS NULL",
        _refuse("insi_pending", "DELETE", "un appel à reprendre reste enregistré."),
    ]
    for statement in statements:
        conn.execute(statement)


def _v7_identity_state(conn: sqlite3.Connection) -> None:
    """The state digests the audit events record (`insterm.store.identity_state`): the
    `audit.state` column (part of the hashed event when set) and the append-only
    `identity_state` table.

    On a base that already holds identities, one event `state_tracking_started` notes from
    which identity id every identity must have a recorded state: the older ones are reported
    "not covered" by `audit verify` until their next change, rather than given a baseline
    digest now (a baseline would certify rows nobody can vouch for, and could hide a change
    made before this version)."""
    statements = [
        "ALTER TABLE audit ADD COLUMN state TEXT",
        """
        CREATE TABLE identity_state (
            audit_id INTEGER NOT NULL REFERENCES audit(id),
            identity_id INTEGER NOT NULL,
            digest BLOB NOT NULL,
            PRIMARY KEY (audit_id, identity_id)
        ) WITHOUT ROWID""",
        # Each identity's last recorded state (`audit verify`, in identity order).
        "CREATE INDEX identity_state_identity ON identity_state(identity_id, audit_id)",
        _refuse("identity_state", "UPDATE",
                "les empreintes d'état du journal d'audit sont en ajout seul."),
        _refuse("identity_state", "DELETE",
                "les empreintes d'état du journal d'audit sont en ajout seul."),
    ]
    for statement in statements:
        conn.execute(statement)
    count, last_id = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM identity"
                                  ).fetchone()
    if count:
        from insterm.store import audit  # here: audit imports this module
        from insterm.store.clock import utc_now

        audit.append(conn, operator=None, action=audit.STATE_TRACKING_STARTED, identity_id=None,
                     details={"first_covered_id": last_id + 1, "not_covered": count},
                     at=utc_now())


def _v8_hl7_outbox(conn: sqlite3.Connection) -> None:
    """HL7 v2 messages waiting for (or done with) their MLLP delivery: nothing is lost when the
    receiving software is down. `state`: pending (to send at `next_attempt_at`), sent (AA/CA),
    refused (AE/AR: kept for the operator, not retried)."""
    conn.execute("""
        CREATE TABLE hl7_outbox (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES operator(id),
            event TEXT NOT NULL,
            identity_id INTEGER REFERENCES identity(id),
            control_id TEXT NOT NULL UNIQUE,
            message TEXT NOT NULL,
            host TEXT NOT NULL,
            port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
            state TEXT NOT NULL DEFAULT 'pending'
                CONSTRAINT hl7_outbox_state_known CHECK (state IN ('pending', 'sent', 'refused')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            ack_code TEXT,
            done_at TEXT
        )""")
    conn.execute("CREATE INDEX hl7_outbox_due ON hl7_outbox(next_attempt_at) "
                 "WHERE state = 'pending'")


def _v9_operator_proof(conn: sqlite3.Connection) -> None:
    """How each operator proves who they are (`insterm.domain.authentication`): the method
    chosen by the practice, the Argon2id hash of their password (never the password), and the
    count of wrong passwords in a row with the end of the lock they led to. An operator mapped
    to an OS account before this version keeps signing in that way."""
    statements = [
        "ALTER TABLE operator ADD COLUMN auth_method TEXT CONSTRAINT operator_auth_method_known"
        " CHECK (auth_method IN ('password', 'os-account', 'cps'))",
        "ALTER TABLE operator ADD COLUMN password_hash TEXT CONSTRAINT operator_password_hashed"
        " CHECK (password_hash LIKE '$argon2id$%')",
        "ALTER TABLE operator ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE operator ADD COLUMN locked_until TEXT",
        "UPDATE operator SET auth_method = 'os-account' WHERE os_login IS NOT NULL",
    ]
    for statement in statements:
        conn.execute(statement)


def _v10_imports(conn: sqlite3.Connection) -> None:
    """Imports of another program's patient file (`insterm.usecases.imports`): one
    `import_batch` per source file (its SHA-256 digest is unique: a second run of the same file
    resumes it, never imports it twice), its rows staged in `import_row` (the values as read,
    then each row's outcome), and `identity.withdrawn`, set when an administrator undoes an
    import whose identities nobody has changed since (an identity is never deleted)."""
    statements = [
        """
        CREATE TABLE import_batch (
            id INTEGER PRIMARY KEY,
            source_name TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CONSTRAINT import_batch_kind_known CHECK (kind IN ('csv', 'xdm')),
            description TEXT NOT NULL,
            mapping TEXT NOT NULL,
            total INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'staging' CONSTRAINT import_batch_state_known
                CHECK (state IN ('staging', 'running', 'done', 'undone')),
            started_at TEXT NOT NULL,
            started_by INTEGER NOT NULL REFERENCES operator(id),
            finished_at TEXT,
            undone_at TEXT,
            undone_by INTEGER REFERENCES operator(id)
        )""",
        _refuse("import_batch", "DELETE", "un import reste enregistré (annulez-le)."),
        """
        CREATE TABLE import_row (
            batch_id INTEGER NOT NULL REFERENCES import_batch(id),
            seq INTEGER NOT NULL,
            row_key TEXT NOT NULL,
            source_id TEXT NOT NULL DEFAULT '',
            raw TEXT NOT NULL,
            read_error TEXT,
            outcome TEXT CONSTRAINT import_row_outcome_known
                CHECK (outcome IN ('imported', 'normalised', 'refused', 'held')),
            detail TEXT,
            identity_id INTEGER REFERENCES identity(id),
            PRIMARY KEY (batch_id, seq),
            UNIQUE (batch_id, row_key)
        )""",
        "CREATE INDEX import_row_identity ON import_row(identity_id) "
        "WHERE identity_id IS NOT NULL",
        # The rows still to move, in file order (a resumed import starts where it stopped).
        "CREATE INDEX import_row_todo ON import_row(batch_id, seq) WHERE outcome IS NULL",
        _refuse("import_row", "DELETE", "une ligne d'import reste enregistrée."),
        "ALTER TABLE identity ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0 "
        "CONSTRAINT identity_withdrawn_boolean CHECK (withdrawn IN (0, 1))",
    ]
    for statement in statements:
        conn.execute(statement)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1_core,
    _v2_traceability,
    _v3_duplicates,
    _v4_operator_login_and_journal,
    _v5_patient_information,
    _v6_insi_pending,
    _v7_identity_state,
    _v8_hl7_outbox,
    _v9_operator_proof,
    _v10_imports,
)
CURRENT_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = CURRENT_VERSION) -> list[int]:
    """Apply the missing migrations up to `target`, each in its own transaction; returns the
    versions applied. A file newer than this program raises `SchemaMismatch`."""
    applied: list[int] = []
    if schema_version(conn) > CURRENT_VERSION:
        raise SchemaMismatch(schema_version(conn), CURRENT_VERSION)
    for version in range(1, target + 1):
        with write_transaction(conn):
            # Read again under the write lock: another process may have migrated meanwhile.
            if schema_version(conn) >= version:
                continue
            if schema_version(conn) != version - 1:  # pragma: no cover - defensive
                raise SchemaMismatch(schema_version(conn), version - 1)
            MIGRATIONS[version - 1](conn)
            conn.execute(f"PRAGMA user_version = {version}")
        applied.append(version)
    return applied
