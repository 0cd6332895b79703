"""Which family of professional codes answers cite: a workspace default set by moderators
(`/boundary-admin code uk`) and a personal choice (`/boundary code uk`).

Stored as workspace settings through the store. The personal choice is keyed by the
app's keyed user hash (bot/identity.py), never the raw user ID; lookups try the hash
under every current and previous secret key, so rotating the key keeps the choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.identity import Identity
from bot.storage.store import Store

from .catalog import Catalog, CodeFamily

WORKSPACE_KEY = "code_family"
USER_PREFIX = "code_user:"
HASH_CHARS = 30  # settings keys hold 40 characters: the prefix and 120 bits of the keyed hash


@dataclass(frozen=True)
class CodeSetting:
    family: CodeFamily
    source: str  # "personal", "workspace" or "default"


class CodeChoice:
    def __init__(self, store: Store, identity: Identity, catalog: Catalog):
        self.store = store
        self.identity = identity
        self.catalog = catalog

    def _user_keys(self, team_id: str, user_id: str) -> list[str]:
        return [USER_PREFIX + h[:HASH_CHARS] for h in self.identity.author_hashes(team_id, user_id)]

    def family(self, key: str | None) -> CodeFamily | None:
        return self.catalog.code_families.get(key or "")

    async def workspace(self, team_id: str) -> CodeSetting:
        key = (await self.store.settings(team_id)).get(WORKSPACE_KEY)
        fam = self.family(key)
        if fam is None:
            return CodeSetting(self.catalog.code_family(None), "default")
        return CodeSetting(fam, "workspace")

    async def effective(self, team_id: str, user_id: str) -> CodeSetting:
        settings = await self.store.settings(team_id)
        for k in self._user_keys(team_id, user_id):
            fam = self.family(settings.get(k))
            if fam is not None:
                return CodeSetting(fam, "personal")
        fam = self.family(settings.get(WORKSPACE_KEY))
        if fam is not None:
            return CodeSetting(fam, "workspace")
        return CodeSetting(self.catalog.code_family(None), "default")

    async def set_personal(self, team_id: str, user_id: str, family_key: str | None) -> None:
        """`None` goes back to the workspace default (under every key the user had)."""
        keys = self._user_keys(team_id, user_id)
        await self.store.set_setting(team_id, keys[0], family_key)
        for old in keys[1:]:
            if (await self.store.settings(team_id)).get(old) is not None:
                await self.store.set_setting(team_id, old, None)

    async def set_workspace(self, team_id: str, family_key: str) -> None:
        await self.store.set_setting(team_id, WORKSPACE_KEY, family_key)
