from pathlib import Path

from metrics.docs import contract_markdown, glossary_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_documents_the_contract_verbatim():
    assert contract_markdown() in README.read_text(encoding="utf-8"), "run: python -m metrics.docs and paste into README"


def test_readme_has_the_spend_glossary():
    assert glossary_markdown() in README.read_text(encoding="utf-8"), "run: python -m metrics.docs glossary"
