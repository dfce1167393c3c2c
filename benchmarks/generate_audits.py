"""Generate synthetic audits of any size that pass validation (run by hand, for benchmarks).

Every audit it writes is **synthetic**: pseudonymous case references (``SYN-000001``),
auditors by job role, no names, dates of birth, addresses or NHS numbers. The free text is
assembled from sentence patterns written in the register of real single-agency audit
returns (referrals, strategy discussions, Child Protection medicals, GP liaison, record
keeping, step down), so that theme tagging does the work it does on real returns. The
same seed always gives the same files.

    .venv/bin/python benchmarks/generate_audits.py --audits 10 --cases 15 \\
        --returns-per-case 5 --out /tmp/bench/data/raw

writes ``/tmp/bench/data/raw/synthetic-001/`` ... ``synthetic-010/``. Never point ``--out``
at the project's own ``data/raw``: generated audits belong in a scratch folder.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

AREAS = ["North", "South", "East", "West", "Central"]
AGENCIES = [
    "Children's Social Care",
    "Police",
    "Health Visiting",
    "GP",
    "Acute Trust (Paediatrics)",
    "School",
    "Child and Family Wellbeing Service",
    "Midwifery",
    "School Nursing",
    "Youth Justice Service",
]
ROLES = {
    "Children's Social Care": ["Team manager", "Practice supervisor", "Senior social worker"],
    "Police": ["Detective sergeant, Child Protection Unit", "Detective inspector"],
    "Health Visiting": ["Health visiting team leader", "Specialist safeguarding nurse"],
    "GP": ["Named GP for safeguarding", "Practice safeguarding lead"],
    "Acute Trust (Paediatrics)": ["Named doctor for safeguarding", "Consultant paediatrician"],
    "School": ["Designated safeguarding lead", "Deputy headteacher"],
    "Child and Family Wellbeing Service": ["Senior family support worker", "Team leader"],
    "Midwifery": ["Safeguarding midwife", "Named midwife"],
    "School Nursing": ["School nursing team leader", "Specialist school nurse"],
    "Youth Justice Service": ["Case manager", "Operational manager"],
}
GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
GRADE_WEIGHTS = [1, 5, 6, 4]

# Slots filled at random, so that sentences vary as real returns do.
FILL = {
    "who": [
        "the health visitor",
        "the school",
        "the midwife",
        "the GP",
        "the police",
        "the designated safeguarding lead",
        "the school nurse",
        "the family support worker",
    ],
    "child": ["the baby", "the child", "the young person", "the older sibling", "the infant"],
    "carer": ["mother", "father", "the grandmother", "the parents", "the foster carer"],
    "delay": ["two days", "three days", "a week", "nearly a fortnight", "four days"],
    "fast": ["within the hour", "the same afternoon", "within three hours", "the same morning"],
    "system": ["the social care record", "the case file", "the chronology", "the assessment"],
    "log": ["CPOMS", "MyConcern", "the safeguarding log"],
    "service": ["the Child and Family Wellbeing Service", "early help", "the family hub"],
    "trust": ["the community trust", "the acute trust", "the neighbouring trust"],
    "meeting": ["strategy discussion", "initial child protection conference", "core group"],
}

# (theme, sentence pattern). None marks a sentence that speaks of no taxonomy theme.
SENTENCES: list[tuple[str | None, str]] = [
    (
        "swift-response",
        "The referral from {who} was screened {fast} and a strategy discussion took place "
        "the same day.",
    ),
    ("swift-response", "{child} was seen and a safety plan agreed with {carer} {fast}."),
    (
        "swift-response",
        "The referral sat in the team inbox for {delay} before it was screened.",
    ),
    ("swift-response", "The section 47 enquiry was not started until {delay} after the referral."),
    ("swift-response", "Officers attended jointly with the social worker {fast}."),
    (
        "cp-medical-recording",
        "The outcome of the child protection medical was not recorded on {system}.",
    ),
    (
        "cp-medical-recording",
        "The paediatrician's findings were summarised clearly in the social care record.",
    ),
    (
        "cp-medical-recording",
        "The medical report could not be found on the file and the assessment is silent "
        "on what the consultant concluded.",
    ),
    (
        "gp-information-sharing",
        "The GP was not invited to the {meeting} and learned of the concern from {carer}.",
    ),
    (
        "gp-information-sharing",
        "The practice was informed of the outcome of the enquiry by letter within a week.",
    ),
    (
        "gp-information-sharing",
        "Monthly liaison meetings between the practice and the health visitors meant the GP "
        "already knew the family.",
    ),
    ("record-keeping", "Entries on {log} were detailed, signed and dated."),
    ("record-keeping", "The concern was not coded on the GP record of {child}."),
    ("record-keeping", "The chronology was started late and was incomplete when the case closed."),
    (
        "step-down",
        "The case was stepped down to {service} without a joint visit or a handover.",
    ),
    (
        "step-down",
        "After the case was closed to social care, the family waited weeks before early help "
        "took on the work.",
    ),
    (
        "health-economy",
        "Staff were unsure which trust provided the health visiting service for the family's "
        "address.",
    ),
    (
        "health-economy",
        "The discharge information from the hospital was not passed to the community health "
        "visiting team.",
    ),
    (
        "health-economy",
        "The referral was sent to {trust} rather than the provider that held the records.",
    ),
    (None, "The voice of {child} was captured well through direct work and observation."),
    (None, "The assessment considered the wider family and the support they could offer."),
    (None, "{carer} engaged well with the plan and attended every review."),
    (None, "Supervision was regular and reflective, and managers' oversight is evident."),
    (None, "The plan did not set out what would change for {child} or by when."),
    (None, "Contingency planning was weak and the risks were not reviewed after the incident."),
    (None, "Professional curiosity about the adults in the household was limited."),
    (None, "Thresholds were applied consistently and the rationale is well explained."),
]


# How an auditor may open or close a sentence, so that few sentences repeat word for word,
# as in real returns.
OPENINGS = [
    "",
    "",
    "",
    "In this case, ",
    "On review, ",
    "The auditor found that ",
    "From the records seen, ",
    "At the time of the incident, ",
    "During the {n}-week period audited, ",
    "When the concern was first raised, ",
]
CLOSINGS = [
    "",
    "",
    "",
    ", as the chronology shows",
    ", which {who} confirmed at the meeting",
    ", according to the {agency} record",
    " on {n} occasions",
    ", despite {n} contacts with {who}",
    " in the {n} months before the audit",
    ", and this was discussed in supervision",
    ", although {who} raised it twice",
    " for {child} and {n} siblings",
]


def sentence(rng: random.Random) -> str:
    _, pattern = rng.choice(SENTENCES)
    slots = {slot: rng.choice(values) for slot, values in FILL.items()}
    slots |= {"n": rng.randint(2, 12), "agency": rng.choice(AGENCIES)}
    text = pattern.format(**slots)
    opening = rng.choice(OPENINGS).format(**slots)
    if opening:
        text = opening + text[0].lower() + text[1:]
    closing = rng.choice(CLOSINGS).format(**slots)
    if closing:
        text = text[:-1] + closing + text[-1]
    return text[0].upper() + text[1:]


def free_text(rng: random.Random, lowest: int, highest: int) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(lowest, highest)))


def date_after(rng: random.Random, start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, days))


def write_csv(path: Path, header: Sequence[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate_audit(
    folder: Path, *, number: int, cases: int, returns_per_case: int, seed: int
) -> dict[str, int]:
    """Write one synthetic audit folder; returns the number of rows of each file."""
    if not 1 <= returns_per_case <= len(AGENCIES):
        raise SystemExit(f"--returns-per-case must be between 1 and {len(AGENCIES)}.")
    rng = random.Random(f"{seed}-{number}")
    year = 2020 + number % 5
    start = dt.date(year, 3, 1)
    areas = AREAS[: 2 + number % 4]
    agencies = AGENCIES[: max(returns_per_case, 6)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "audit.yaml").write_text(
        "# SYNTHETIC DATA made by benchmarks/generate_audits.py: it describes no real child,\n"
        "# family or professional, and the board is fictional.\n"
        f'title: "Multi-agency audit: synthetic benchmark {number:03d}"\n'
        'board: "Synthetic Safeguarding Children Partnership"\n'
        f"audit_number: {number}\n"
        f'period: "{year}"\n'
        'selection_criteria: "synthetic cases generated for performance measurement"\n'
        f"areas: [{', '.join(areas)}]\n"
        "agencies:\n" + "".join(f'  - "{a}"\n' for a in agencies),
        encoding="utf-8",
    )
    case_rows, return_rows, action_rows = [], [], []
    width = max(4, len(str(cases)))
    for n in range(1, cases + 1):
        case_id = f"SYN-{n:0{width}d}"
        meeting = date_after(rng, start + dt.timedelta(days=60), 60)
        ratified = rng.choices(GRADES, GRADE_WEIGHTS)[0] if rng.random() > 0.05 else ""
        case_rows.append([case_id, rng.choice(areas), ratified, meeting.isoformat()])
        for agency in rng.sample(agencies, returns_per_case):
            return_rows.append(
                [
                    case_id,
                    agency,
                    rng.choice(ROLES[agency]),
                    date_after(rng, start, 55).isoformat(),
                    rng.choices(GRADES, GRADE_WEIGHTS)[0],
                    free_text(rng, 1, 4),
                    free_text(rng, 0, 3),
                ]
            )
        if rng.random() < 0.3:
            raised = meeting
            done = rng.random() < 0.7
            action_rows.append(
                [
                    f"IA-{len(action_rows) + 1:0{width}d}",
                    case_id,
                    rng.choice(agencies),
                    "Confirm that "
                    + rng.choice(FILL["child"])
                    + " is safeguarded and share the outcome with "
                    + rng.choice(FILL["who"])
                    + ".",
                    raised.isoformat(),
                    "Completed" if done else "Open",
                    date_after(rng, raised, 30).isoformat() if done else "",
                ]
            )
    write_csv(
        folder / "cases.csv", ["case_id", "area", "ratified_grade", "meeting_date"], case_rows
    )
    write_csv(
        folder / "returns.csv",
        [
            "case_id",
            "agency",
            "auditor_role",
            "return_date",
            "grade",
            "strengths",
            "improvements",
        ],
        return_rows,
    )
    write_csv(
        folder / "actions.csv",
        ["action_id", "case_id", "agency", "action", "raised_date", "status", "completed_date"],
        action_rows,
    )
    return {"cases": len(case_rows), "returns": len(return_rows), "actions": len(action_rows)}


def audit_ids(count: int) -> list[str]:
    return [f"synthetic-{n:03d}" for n in range(1, count + 1)]


def generate(
    out: Path, *, audits: int, cases: int, returns_per_case: int, seed: int = 2026
) -> list[str]:
    """Write ``audits`` synthetic audits under ``out``; returns their ids."""
    ids = audit_ids(audits)
    for number, audit_id in enumerate(ids, start=1):
        generate_audit(
            out / audit_id,
            number=number,
            cases=cases,
            returns_per_case=returns_per_case,
            seed=seed,
        )
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audits", type=int, default=1, help="how many audits (default 1)")
    parser.add_argument("--cases", type=int, default=15, help="cases per audit (default 15)")
    parser.add_argument(
        "--returns-per-case",
        type=int,
        default=5,
        help=f"agency returns per case, 1 to {len(AGENCIES)} (default 5)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--out", type=Path, required=True, help="folder to write <audit_id>/ folders into"
    )
    args = parser.parse_args()
    ids = generate(
        args.out,
        audits=args.audits,
        cases=args.cases,
        returns_per_case=args.returns_per_case,
        seed=args.seed,
    )
    print(f"Wrote {len(ids)} synthetic audits to {args.out}: {ids[0]} ... {ids[-1]}")
    print("Build them with a config file holding: audits: [" + ", ".join(ids) + "]")


if __name__ == "__main__":
    main()
