"""Article intake: from a news article to candidate facts with their quotes, written as a draft for a
curator to accept, edit or reject (docs/intake.md); the rules' dictionaries are in cues/*.toml."""
from kg.core import lazy_face

__getattr__, __all__ = lazy_face(__name__, {
    "pipeline": ["ARTICLES", "Analysis", "analyse", "intake", "render"],
    "read": ["IntakeError", "read_article"],
    "names": ["gazetteer_of", "load_gazetteer", "save_gazetteer"],
    "curation": ["AGREEMENT_STATUSES", "decide", "list_drafts", "read_draft"],
    "provenance": ["Decision", "recorded"],
    "score": ["CATEGORIES", "Tally", "gold", "gold_documents", "predicted"],
})
