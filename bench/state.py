"""Print what the database holds now, row by row, as JSON: `python -m bench.state` (DATABASE_URL set).

The race tests compare it with what the server acknowledged."""

import json
import os


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    import django

    django.setup()
    from reader.models import Annotation, Document, Link, Span

    print(
        json.dumps(
            {
                "documents": {pk: text for pk, text in Document.objects.values_list("pk", "text")},
                "spans": list(
                    Span.objects.values_list("pk", "document_id", "start", "end", "exact", "orphaned")
                ),
                "annotations": {
                    pk: {
                        "span": span,
                        "note": note,
                        "cue": cue,
                        "status": status,
                        "reviewer": reviewer,
                        "version": v,
                    }
                    for pk, span, note, cue, status, reviewer, v in Annotation.objects.values_list(
                        "pk", "span_id", "note", "cue", "status", "reviewed_by__username", "version"
                    )
                },
                "links": list(Link.objects.values_list("pk", "source_id", "target_id")),
            }
        )
    )


if __name__ == "__main__":
    main()
