"""Users, roles, passwords and API tokens.

Passwords are hashed with werkzeug (scrypt/pbkdf2); API tokens are random strings of which only
the sha256 is stored, so a leaked database does not leak usable tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from riskradar.domain.base import ROLES, utcnow
from riskradar.domain.users import ApiToken, User
from riskradar.errors import UserInputError

LANGUAGES = ("zh", "en")
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "rr_"
# werkzeug's default (scrypt); the method is stored in each hash, so checks follow the hash.
PASSWORD_HASH_METHOD = "scrypt"


class UserError(UserInputError):
    """A user could not be created or changed (message says why)."""


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of: {', '.join(ROLES)}")
    return role


def generate_password() -> str:
    """A random password that is easy to copy (URL-safe, 16 characters)."""
    return secrets.token_urlsafe(12)


def create_user(session: Session, username: str, password: str, role: str, *, language: str = "zh",
                email: str | None = None) -> User:
    """Create a user; raises :class:`UserError` for a bad role, short password or taken name."""
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise UserError("username must be 1 to 64 characters")
    _check_role(role)
    if language not in LANGUAGES:
        raise UserError(f"unknown language {language!r}; expected zh or en")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if get_user(session, username) is not None:
        raise UserError(f"user {username!r} already exists")
    user = User(username=username, password_hash=generate_password_hash(password, method=PASSWORD_HASH_METHOD), role=role,
                language=language, email=email)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username_or_id: str | int) -> User | None:
    """A user by id or (case-insensitive) username."""
    if isinstance(username_or_id, int):
        return session.get(User, username_or_id)
    return session.scalar(select(User).where(func.lower(User.username) == str(username_or_id).strip().lower()))


def list_users(session: Session) -> list[User]:
    """All users ordered by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def set_role(session: Session, user: User, role: str) -> User:
    """Change a user's role."""
    user.role = _check_role(role)
    return user


def set_password(session: Session, user: User, password: str) -> User:
    """Change a user's password and clear any lock."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD)
    user.failed_logins = 0
    user.locked_until = None
    return user


def is_locked(user: User, now: datetime | None = None) -> bool:
    """True while the account is locked after too many failed logins."""
    now = now or utcnow()
    return user.locked_until is not None and user.locked_until > now


def authenticate(session: Session, username: str, password: str, *, now: datetime | None = None) -> User | None:
    """The active user when the password matches and the account is not locked, else None.

    Failed attempts are counted; after :data:`MAX_FAILED_LOGINS` the account is locked for
    :data:`LOCK_MINUTES` minutes (login rate limiting). The caller commits.
    """
    now = now or utcnow()
    user = get_user(session, username or "")
    if user is None or not user.active:
        # Hash anyway so response time does not reveal whether the name exists.
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if is_locked(user, now):
        return None
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(session: Session, user: User, name: str) -> str:
    """Create a bearer token for ``user``; returns the token text (shown once, never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise UserError("token name must be 1 to 64 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning a non-revoked ``token``, else None (records last use)."""
    if not token:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token.strip()),
                                                ApiToken.revoked.is_(False)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    # Only write when stale, so busy scripts do not turn every GET into a write.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return user


def revoke_token(session: Session, token_id: int) -> bool:
    """Revoke a token by id; False when it does not exist."""
    row = session.get(ApiToken, token_id)
    if row is None:
        return False
    row.revoked = True
    return True


def ensure_demo_admin(session: Session) -> tuple[str, str] | None:
    """Create user ``admin`` with a random password when no admin exists.

    Returns ``(username, password)`` when it created one (so the demo can print it once),
    None when an admin already exists.
    """
    if session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None:
        return None
    username = "admin"
    if get_user(session, username) is not None:
        username = f"admin-{secrets.token_hex(3)}"
    password = generate_password()
    create_user(session, username, password, "admin", language="zh")
    return username, password


def now_utc() -> datetime:
    """Timezone-aware now (kept for callers that compare with ``locked_until``)."""
    return datetime.now(timezone.utc)
