"""The production model and the ones before it: promoting a candidate keeps the previous model
(with the conversation examples and fingerprint it was trained with) so `rollback` can go back."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.training.train import MODEL_DIR, MODEL_NAME, fingerprint

CONVERSATION_EXAMPLES = Path("data") / "nlu" / "from_conversations.yml"
MODEL_FILE = f"{MODEL_NAME}.tar.gz"
FINGERPRINT_FILE = f"{MODEL_NAME}.fingerprint"


@dataclass(frozen=True)
class ModelStore:
    root: Path = PROJECT_ROOT  # config.yml, domain.yml, data/
    models: Path = MODEL_DIR

    @property
    def current(self) -> Path:
        return self.models / MODEL_FILE

    @property
    def examples(self) -> Path:
        return self.root / CONVERSATION_EXAMPLES

    @property
    def history(self) -> Path:
        return self.models / "history"

    def previous(self) -> list[Path]:
        """The kept models, newest first."""
        if not self.history.exists():
            return []
        return sorted((entry for entry in self.history.iterdir() if entry.is_dir()), reverse=True)

    def promote(self, candidate: Path, examples: str, stamp: datetime) -> Path:
        """The candidate becomes the production model, trained on `examples` (the text of
        from_conversations.yml); the current one is kept. Returns where it was kept."""
        kept = self.keep(self.history / stamp.strftime("%Y%m%d-%H%M%S"))
        self.examples.parent.mkdir(parents=True, exist_ok=True)
        self.examples.write_text(examples, encoding="utf-8")
        shutil.copyfile(candidate, self.current)
        (self.models / FINGERPRINT_FILE).write_text(fingerprint(self.root) + "\n")
        return kept

    def rollback(self, stamp: datetime) -> Path | None:
        """The newest kept model back in production, with its examples; the model it replaces is
        set aside in rolled_back/. None when no model was kept."""
        previous = self.previous()
        if not previous:
            return None
        self.keep(self.models / "rolled_back" / stamp.strftime("%Y%m%d-%H%M%S"))
        restored = previous[0]
        shutil.copyfile(restored / MODEL_FILE, self.current)
        if (restored / CONVERSATION_EXAMPLES.name).exists():
            shutil.copyfile(restored / CONVERSATION_EXAMPLES.name, self.examples)
        else:
            self.examples.unlink(missing_ok=True)
        (self.models / FINGERPRINT_FILE).write_text(fingerprint(self.root) + "\n")
        shutil.rmtree(restored)
        return restored

    def prune_candidates(self, keep: int = 3) -> None:
        """Only the newest `keep` candidates stay (a refused one can be looked at for a while)."""
        folder = self.models / "candidates"
        if folder.exists():
            for old in sorted(folder.iterdir(), reverse=True)[keep:]:
                shutil.rmtree(old)

    def keep(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.current, folder / MODEL_FILE)
        if self.examples.exists():
            shutil.copyfile(self.examples, folder / CONVERSATION_EXAMPLES.name)
        return folder
