"""Readable source of the sample Notion workspace in `data/notion/` (make_sample_export.py).

`[[key]]` links to another page (anchor = its title), `[[key|anchor]]` sets the anchor text,
`[[db:key]]` links to a database. External links are real-looking article URLs: they fail to fetch
on an offline machine, which the crawl step must show rather than hide.
"""

# (key, title, parent key or None, body)
PAGES: list[tuple[str, str, str | None, str]] = [
    (
        "home",
        "Second Brain",
        None,
        """
My personal knowledge base. Everything I read, learn and decide ends up here, roughly following
the PARA method: [[projects]] have a deadline, [[areas]] are ongoing responsibilities, [[notes]]
hold what I learn, and the [[db:reading|reading list]] tracks what is next.

Weekly review: empty the [[inbox-notes|notes inbox]], update [[meetings]], archive finished
projects. The idea comes from Tiago Forte's "Building a Second Brain"
(https://fortelabs.com/blog/para/).
""",
    ),
    (
        "projects",
        "Projects",
        "home",
        """
Active projects, one page each, with a goal and a next action.

- [[rag]]: question answering over the team's docs.
- [[evalharness]]: regression tests for prompts and models.
- [[homelab]]: a small cluster to run experiments at home.
- [[inbox-projects|Inbox]] for project ideas not yet started.
""",
    ),
    (
        "rag",
        "RAG Assistant for Team Docs",
        "projects",
        """
## Goal
Answer questions about our internal documentation with citations, so new engineers stop asking
the same ten questions in chat. Success means 80% of answers rated useful by the people who asked,
measured over four weeks, and every answer links to the paragraph it came from.

## Design
Documents are split into chunks of about 400 tokens with 50 tokens of overlap, embedded with a
small sentence-transformer and stored in a vector index. At query time we retrieve the top 20
chunks, re-rank them with a cross-encoder and keep the best 5 for the prompt. Re-ranking matters
more than the choice of embedding model: in our first test it moved answer accuracy from 61% to
74%, while swapping embedders changed it by two points at most. See
[the original RAG paper](https://arxiv.org/abs/2005.11401) and
[Pinecone's chunking guide](https://www.pinecone.io/learn/chunking-strategies/).

![architecture](RAG%20Assistant%20for%20Team%20Docs%20{id}/architecture.png)

## Open questions
Chunking by headings keeps sections intact but produces very uneven sizes. Tables are still a
problem: flattened into text they lose their structure, and the model invents numbers. I want to
try storing tables as Markdown and retrieving them whole. Evaluation lives in [[evalharness]].

## Next action
Build a set of 50 real questions with reference answers from the support channel history.
""",
    ),
    (
        "evalharness",
        "LLM Evaluation Harness",
        "projects",
        """
A small harness that runs a fixed set of prompts against a model and scores the answers, so a
prompt or model change is tested like a code change.

Each test case has an input, optional context, and one or more checks: exact match for
structured outputs, a regex, a JSON schema, or an LLM judge with a rubric. The judge is the
least reliable check, so it returns a score and a one-sentence reason, and I sample 10% of its
verdicts for manual review every week. Agreement with my own labels is around 85%, which is good
enough to catch regressions but not to rank close models.

Results are stored per run with the prompt version and model id, which makes it possible to
answer "did this change make things worse?" with a diff instead of a feeling. Ideas borrowed from
[Eugene Yan's patterns for LLM systems](https://eugeneyan.com/writing/llm-patterns/) and
<https://hamel.dev/blog/posts/evals/>. Notes on judging in [[eval]].
""",
    ),
    (
        "homelab",
        "Home Lab Kubernetes",
        "projects",
        """
Three mini PCs running k3s. Goal: run Dagster, a vector database and an Ollama server at home
without paying for cloud GPUs for small experiments.

Lessons so far: Longhorn for storage was too heavy for these machines; local-path volumes plus
nightly backups to a NAS are enough. Ingress with Traefik works out of the box. GPU passthrough
needs the NVIDIA device plugin and a node label, see
https://docs.k3s.io/advanced#nvidia-container-runtime-support.
""",
    ),
    (
        "inbox-projects",
        "Inbox",
        "projects",
        """
- Browser extension that saves a page straight into this workspace
- Fine-tune a small model to write summaries in my own style ([[lora]])
""",
    ),
    (
        "areas",
        "Areas",
        "home",
        """
Ongoing responsibilities without an end date: [[career]] and [[health]].
""",
    ),
    (
        "career",
        "Career & Résumé",
        "areas",
        """
## Where I want to be in two years
Lead a small team building ML platforms: the boring, reliable infrastructure that lets other
people ship models. The skills that matter most for that are data engineering, evaluation and
operations, more than new model architectures.

## Plan
1. Write one technical note per week here and publish the good ones.
2. Own the [[rag]] project end to end, including its evaluation.
3. Give an internal talk on [[idempotent]] in Q3.

Useful reading: [Staff Engineer archetypes](https://staffeng.com/guides/staff-archetypes/).
""",
    ),
    (
        "health",
        "Health",
        "areas",
        """
Run three times a week, sleep before midnight. Tracked in a spreadsheet, not here.
""",
    ),
    (
        "notes",
        "Notes",
        "home",
        """
What I learn, grouped by topic: [[ml]], [[llmops]] and [[dataeng]]. Unsorted thoughts go to the
[[inbox-notes|inbox]]; the [[ideas]] page collects topics for later.
""",
    ),
    (
        "ml",
        "Machine Learning",
        "notes",
        """
Fundamentals I keep coming back to: [[gradient]] and [[biasvar]]. The best free book is still
https://www.deeplearningbook.org/, and Andrej Karpathy's
[recipe for training neural networks](https://karpathy.github.io/2019/04/25/recipe/) is the most
practical advice I know.
""",
    ),
    (
        "gradient",
        "Gradient Descent Intuition",
        "ml",
        """
Gradient descent walks downhill on the loss surface: at each step it computes the gradient of the
loss with respect to the parameters and moves a small step in the opposite direction. The step
size, the learning rate, is the most important hyperparameter: too small and training crawls, too
large and the loss oscillates or diverges.

Stochastic gradient descent estimates the gradient on a mini-batch instead of the full dataset.
The noise this adds is not only a cost: it helps escape sharp minima, which tend to generalize
worse than flat ones. Momentum keeps a running average of past gradients, which smooths the
noise and speeds up travel along shallow valleys.

Adam combines momentum with a per-parameter scale based on the running average of squared
gradients, so parameters with rare, large gradients still learn. It is the default for
transformers, usually with warmup (the learning rate rises linearly for the first few hundred
steps) and cosine decay. AdamW decouples weight decay from the gradient update, which is what
most training code actually uses. A good visual explanation:
[An overview of gradient descent optimization algorithms](https://www.ruder.io/optimizing-gradient-descent/).

Practical checks when training misbehaves: overfit a single batch first; plot the loss on a log
scale; if the loss is NaN, lower the learning rate and check for division by zero in the data.
""",
    ),
    (
        "biasvar",
        "Bias-Variance Tradeoff",
        "ml",
        """
A model's expected error splits into bias (wrong assumptions, underfitting), variance
(sensitivity to the particular training set, overfitting) and irreducible noise. Simple models
have high bias and low variance; flexible ones the reverse.

The classical picture says test error is U-shaped in model complexity. Deep learning broke that
picture: with enough parameters, test error goes down again after the interpolation threshold
("double descent", https://openai.com/research/deep-double-descent). In practice that means more
data and regularization (weight decay, dropout, early stopping, data augmentation) are usually a
better fix for overfitting than a smaller model.

How I diagnose it: compare training and validation loss. Both high means bias: bigger model,
better features, train longer. Training low and validation high means variance: more data,
stronger regularization, or fewer features. Learning curves (error against training set size)
tell which one more data would help.
""",
    ),
    (
        "llmops",
        "LLMOps",
        "notes",
        """
Running language models in production: [[promptver]], [[eval]], [[vllm]] and [[lora]].
The overview I send people is
[Chip Huyen's "Building LLM applications for production"](https://huyenchip.com/2023/04/11/llm-engineering.html).
""",
    ),
    (
        "promptver",
        "Prompt Versioning",
        "llmops",
        """
Prompts are code. They change behaviour as much as a model swap does, so they need versions,
reviews and tests.

What works for me: every prompt template lives in the repository with a version string, and every
LLM call logs the template version, the model id and a hash of the rendered prompt. Cached
results are keyed by (model, prompt version, input hash), so changing a prompt invalidates exactly
the results it affects and nothing else. A prompt change goes through the same review as code,
with the [[eval|evaluation]] results of the old and the new version in the pull request.

Anti-patterns I have seen: prompts edited in a web console with no history; f-strings scattered
through the code base; "small wording fixes" deployed on Friday that halved the JSON parse rate.
Tools such as https://www.promptfoo.dev/docs/intro/ help, but a folder of templates plus a test
suite gets you most of the way.
""",
    ),
    (
        "eval",
        "Evaluating LLM Outputs",
        "llmops",
        """
Three kinds of evaluation, from cheapest to most expensive:

1. **Deterministic checks**: valid JSON, required fields present, length limits, forbidden
   strings. Run on every output in production, not only in tests.
2. **Model-graded checks**: an LLM judge scores the answer against a rubric. Ask for a score and a
   short reason, use temperature 0 and a JSON schema for the answer, and never let the judge see
   which system produced the output. Judges prefer longer answers and their own model family;
   calibrate against human labels before trusting them.
3. **Human review**: the only ground truth. Sample a few percent of production traffic every week.

Metrics like ROUGE and BLEU measure word overlap with a reference and correlate poorly with
quality for open-ended generation; use them only as a smoke test, and always compare against the
base model on the same samples. Read more:
[Judging LLM-as-a-Judge](https://arxiv.org/abs/2306.05685) and
[OpenAI's evals guide](https://platform.openai.com/docs/guides/evals).
""",
    ),
    (
        "vllm",
        "Serving LLMs with vLLM",
        "llmops",
        """
vLLM serves open models with high throughput thanks to PagedAttention (the KV cache is stored in
fixed-size blocks, like virtual memory pages, so memory is not wasted on padding) and continuous
batching (new requests join the running batch at every decoding step instead of waiting for the
batch to finish).

Settings that mattered on a single 24 GB GPU with a 7B model: `--max-model-len 8192` to bound the
KV cache, `--gpu-memory-utilization 0.90`, and AWQ quantization when two models had to share the
card. Throughput went from 3 requests/s with Hugging Face generate to about 25 with vLLM at the
same latency target. Docs: https://docs.vllm.ai/en/latest/ and the paper
https://arxiv.org/abs/2309.06180.

For a laptop, Ollama is simpler: one binary, GGUF models, an HTTP API, and structured outputs
with a JSON schema (https://ollama.com/blog/structured-outputs).
""",
    ),
    (
        "lora",
        "LoRA Fine-Tuning",
        "llmops",
        """
LoRA freezes the base model and learns a low-rank update for selected weight matrices:
W + B·A, where A and B have rank r (8 to 64 in practice). Only A and B are trained, which cuts
trainable parameters by a factor of a thousand or more and lets a 7B model be fine-tuned on one
consumer GPU. QLoRA goes further by keeping the frozen base in 4-bit. Paper:
https://arxiv.org/abs/2106.09685; the practical guide I used is
[Hugging Face PEFT](https://huggingface.co/docs/peft/index).

Things that bit me: the answer must fit in the maximum sequence length, otherwise the model
learns to stop mid-sentence; truncate the *input* by tokens, never the answer. Split train and
test by source document, or augmented copies of the same document leak into the test set and the
scores look far better than they are. After training, merge the adapter into the base weights
for serving, and evaluate against the base model on the same prompts.
""",
    ),
    (
        "dataeng",
        "Data Engineering",
        "notes",
        """
Notes on building pipelines: [[dagster]] and [[idempotent]].
""",
    ),
    (
        "dagster",
        "Dagster Asset Patterns",
        "dataeng",
        """
Dagster models a pipeline as software-defined assets: each asset is a function that produces a
table, a file or a model, and declares the assets it depends on. The graph follows from the
function arguments, and the UI shows what exists, when it was built and from which code version.

Patterns I like: partition assets by the natural unit of new data (a day, a customer, an upload)
so a backfill is a selection of partitions; keep assets thin and put logic in plain Python modules
that can be tested without Dagster; return metadata (row counts, timings, a small plot) so the UI
answers "is this run normal?"; declare asset checks next to the asset, blocking where bad data
must not flow downstream. Sensors turn new files into runs with a run key, so the same file never
triggers two runs. Docs: [Software-defined assets](https://docs.dagster.io/guides/build/assets)
and <https://docs.dagster.io/guides/test/asset-checks>.
""",
    ),
    (
        "idempotent",
        "Idempotent Pipelines",
        "dataeng",
        """
A pipeline step is idempotent when running it twice gives the same result as running it once.
That is what makes retries, backfills and "just rerun it" safe.

Rules I follow: derive ids from content or natural keys, never random UUIDs; write to a
temporary location and rename into place; replace a whole partition instead of appending to it;
upsert by key and then delete the partition's stale keys rather than wiping a collection; cache
expensive calls by a hash of their inputs. Martin Kleppmann's
[Designing Data-Intensive Applications](https://dataintensive.net/) covers the theory.
""",
    ),
    (
        "inbox-notes",
        "Inbox",
        "notes",
        """
- difference between AWQ and GPTQ?
- read about speculative decoding
- Jupyter notebook cleanup tool?
""",
    ),
    ("ideas", "Ideas to Explore", "notes", ""),
    (
        "linkdump",
        "Links to Read Later",
        "notes",
        """
https://lilianweng.github.io/posts/2023-06-23-agent/
https://jalammar.github.io/illustrated-transformer/
https://www.anthropic.com/research/building-effective-agents.
https://simonwillison.net/tags/llms/
(see also https://en.wikipedia.org/wiki/Retrieval-augmented_generation)
""",
    ),
    (
        "k8scheat",
        "Kubernetes Cheatsheet",
        "homelab",
        """
TODO
""",
    ),
    (
        "meetings",
        "Meetings",
        "home",
        """
Meeting notes, newest first: [[sync2]], [[sync1]].
""",
    ),
    (
        "sync1",
        "2024-03-04 Weekly Sync",
        "meetings",
        """
Attendees: Ana, Ben, me.

- Ana: the support bot answers from outdated docs; we need a re-index job after every docs
  deploy. Owner: Ben.
- Decided to evaluate re-ranking before trying a bigger embedding model ([[rag]]).
- Ben asked for a shared set of test questions; I will start it in [[evalharness]].

Action items: Ben re-index job by Friday; me 50 questions by next sync.
""",
    ),
    (
        "sync2",
        "2024-03-11 Weekly Sync",
        "meetings",
        """
Attendees: Ana, Ben, me.

- Re-index job runs after each docs deploy; stale answers gone.
- 38 of 50 questions written. Re-ranking improved accuracy from 61% to 74% on them.
- Next: measure latency; the cross-encoder adds 120 ms at p50. Acceptable for now.
""",
    ),
]

# Reading list database: columns, then rows (title, properties, body or None = no row page).
READING_COLUMNS = ["Name", "Author", "Type", "Status", "Tags", "URL"]
READING_ROWS: list[tuple[str, dict[str, str], str | None]] = [
    (
        "Designing Machine Learning Systems",
        {
            "Author": "Chip Huyen",
            "Type": "Book",
            "Status": "Done",
            "Tags": "ml, mlops",
            "URL": "https://www.oreilly.com/library/view/designing-machine-learning/9781098107956/",
        },
        """
The best book on ML in production. Chapter 6 on model development and offline evaluation and
chapter 8 on data distribution shifts were the most useful for me. Key idea: most ML failures in
production are not ML failures but data and software failures, so monitoring must cover inputs,
not only predictions. Related note: [[eval]].
""",
    ),
    (
        "Attention Is All You Need",
        {
            "Author": "Vaswani et al.",
            "Type": "Paper",
            "Status": "Done",
            "Tags": "llm, transformers",
            "URL": "https://arxiv.org/abs/1706.03762",
        },
        """
Introduces the transformer: self-attention replaces recurrence, so training parallelizes across
positions. Multi-head attention lets different heads attend to different relations; positional
encodings give the model word order. The illustrated walk-through at
https://jalammar.github.io/illustrated-transformer/ is easier to follow than the paper.
""",
    ),
    (
        "LoRA: Low-Rank Adaptation",
        {
            "Author": "Hu et al.",
            "Type": "Paper",
            "Status": "Reading",
            "Tags": "llm, fine-tuning",
            "URL": "https://arxiv.org/abs/2106.09685",
        },
        "\nSummary in [[lora]].\n",
    ),
    (
        "Building Effective Agents",
        {
            "Author": "Anthropic",
            "Type": "Article",
            "Status": "To read",
            "Tags": "llm, agents",
            "URL": "https://www.anthropic.com/research/building-effective-agents",
        },
        "",
    ),
    (
        "The Pragmatic Programmer",
        {
            "Author": "Hunt, Thomas",
            "Type": "Book",
            "Status": "To read",
            "Tags": "engineering",
            "URL": "",
        },
        None,
    ),
]
