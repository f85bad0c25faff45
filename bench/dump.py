"""Print what the database holds, as JSON: `python -m bench.dump` (with DATABASE_URL set)."""

import json
import os


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    import django

    django.setup()
    from reader.models import Annotation, Link, Span

    print(
        json.dumps(
            {
                "annotations": list(
                    Annotation.objects.values_list(
                        "span__document_id", "span__start", "span__end", "label_id", "author__username"
                    )
                ),
                "links": list(
                    Link.objects.values_list("source_id", "target_id", "relation", "author__username")
                ),
                "spans_without_annotations": Span.objects.filter(annotations__isnull=True).count(),
            }
        )
    )


if __name__ == "__main__":
    main()
