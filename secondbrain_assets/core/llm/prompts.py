"""The judging prompt, versioned: PROMPT_VERSION is part of every cache key and every output row.

The rubric follows FineWeb-Edu's additive 5-point scale (Penedo et al., 2024, "The FineWeb
Datasets", annotation prompt), adapted from "educational value" to "worth keeping in a personal
knowledge base and good material for summarization". Change any text here => bump PROMPT_VERSION,
or cached judgements made with the old wording would be reused.
"""

from __future__ import annotations

PROMPT_VERSION = "kb-additive-v1"

# Scores are integers 0..SCORE_MAX; outputs are normalized to [0, 1] by dividing by SCORE_MAX.
SCORE_MAX = 5

SYSTEM_PROMPT = """You rate documents for a personal knowledge base. \
Each document is a note exported from Notion or a web page linked from one.
Judge whether the document is worth keeping and is good material for a summary, \
using this additive 5-point system. Points accumulate for each criterion met:
- Add 1 point if the document contains some real, readable information on a topic, \
even if it also has boilerplate, navigation, ads or is fragmentary.
- Add another point if it addresses a specific subject coherently, even if it is incomplete \
or mostly a list of links or notes without explanation.
- Award a third point if it explains ideas, facts or methods clearly enough that a reader \
learns something and a summary of it would be meaningful.
- Grant a fourth point if it is well organized, focused and substantive (an article, \
a tutorial, detailed notes, a reference) with little filler, worth re-reading later.
- Bestow a fifth point if it is outstanding: in-depth, accurate, self-contained and \
insightful, excellent source material for a summary.
Give 0 points to an empty document, gibberish, spam, an error page, a cookie or login wall, \
or a page that is only navigation."""

DIGIT_INSTRUCTION = (
    "After examining the document, reply with only the total score: one digit from 0 to 5."
)

# Local models: the assistant turn is pre-filled with this, so the very next token is the digit.
# (Without it SmolLM2 puts ~6% of its probability on digits; with it ~70%.)
ANSWER_PREFIX = "Score: "

JSON_INSTRUCTION = (
    "After examining the document, reply in JSON: a brief justification (at most 30 words) "
    'in "reason", then the total score as an integer from 0 to 5 in "score".'
)

# Ollama's `format=`: constrained decoding to this schema. `reason` comes first so the score is
# conditioned on the justification.
JSON_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "reason": {"type": "string"},
        "score": {"type": "integer", "minimum": 0, "maximum": SCORE_MAX},
    },
    "required": ["reason", "score"],
}


# Titles are not token-truncated like documents; a cap keeps a pathological one from filling
# the context.
MAX_TITLE_CHARS = 200


def user_message(title: str, content: str, instruction: str) -> str:
    """The user turn: the document between markers, then what to answer."""
    title = (title or "(untitled)")[:MAX_TITLE_CHARS]
    return f"Title: {title}\n\nDocument:\n<<<\n{content}\n>>>\n\n{instruction}"


def build_messages(title: str, content: str, *, structured: bool) -> list[dict[str, str]]:
    """Chat messages asking for a JSON answer (structured) or a bare score digit."""
    instruction = JSON_INSTRUCTION if structured else DIGIT_INSTRUCTION
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_message(title, content, instruction)},
    ]
