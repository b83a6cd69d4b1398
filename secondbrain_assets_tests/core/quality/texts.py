"""Crafted real texts for the heuristics tests: an article, spam, a personal note, boilerplate."""

ARTICLE = """\
# How the Printing Press Changed Europe

When Johannes Gutenberg began printing with movable type in Mainz around 1450, he did not set out \
to change the course of history. He wanted to produce books faster and more cheaply than the \
scribes who copied them by hand. Within fifty years, however, presses had spread to more than two \
hundred cities, and millions of volumes were in circulation across the continent.

The most immediate effect was on the price of books. A manuscript Bible could take a scribe \
several years to finish, and only monasteries, universities and wealthy families could afford \
one. Printed \
editions were still expensive, but a merchant or a lawyer could now own a small library. As more \
people bought books, more people learned to read, and the demand for printed material grew with \
every generation.

Printing also changed the way ideas moved. Before the press, a scholar who wanted to share an \
argument had to rely on copies that were slow to make and often full of errors. A printed text was \
the same in every copy, so readers in Venice and in London could discuss exactly the same words. \
Historians have argued that this stability made modern science possible, because experiments and \
observations could be checked by others who had access to identical descriptions.

The religious conflicts of the sixteenth century showed how powerful the new technology had \
become. Pamphlets were cheap to produce and easy to carry, and they reached audiences that had \
never been part of learned debates. Rulers quickly understood that control of the presses meant \
influence over public opinion, and many of them introduced licensing systems and lists of banned \
books.

Not everyone welcomed the change. Some writers complained that there were now too many books and \
that readers could not tell good ones from bad ones. That worry sounds familiar today, when the \
volume of information available to anyone with a phone is far greater than anything Gutenberg \
could have imagined. The question of how to find reliable knowledge in a flood of text is older \
than we usually think.
"""

SPAM = "\n".join(
    ["Buy cheap watches online today with free shipping and the best prices in town."] * 25
    + ["Click here to get the best casino bonus and win big money with our special offer."] * 15
)

LOREM_PAGE = (
    ARTICLE + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua.\n"
)

HASHTAGS = (
    ARTICLE
    + "\n"
    + " ".join(f"#{tag}" for tag in ["history", "books", "printing", "europe", "media"] * 20)
)

NOTE = """\
# Postgres upgrade checklist

- [x] read the release notes for **16**
- [ ] dump roles: `pg_dumpall --roles-only`
- [ ] test restore on staging
- ask Bob about the replica lag alerts

```bash
pg_upgrade -b /usr/lib/postgresql/15/bin -B /usr/lib/postgresql/16/bin --check
```

| host | version |
|------|---------|
| db1  | 15.4    |
"""

NAVIGATION = "\n".join(
    ["Home", "About us", "Contact", "Blog", "Careers", "Login", "Sign up", "Pricing"] * 6
)
