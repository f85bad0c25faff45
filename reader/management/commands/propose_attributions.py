from django.core.management.base import BaseCommand, CommandError

from reader import attributing
from reader.attribution import EXTRACTOR_VERSION, propose
from reader.models import Comparison, Document


class Command(BaseCommand):
    help = (
        "Ask the machine for attributions (source, cue, content) in every document, or in a comparison's "
        "two: they are stored as proposals for people to take or decline. Running it again proposes "
        "nothing twice, and nothing over what a person made or declined."
    )

    def add_arguments(self, parser):
        parser.add_argument("--comparison", metavar="SLUG", help="Only the two documents of this comparison.")

    def handle(self, *args, comparison=None, **options):
        documents = Document.objects.order_by("slug")
        if comparison:
            found = Comparison.objects.filter(slug=comparison).first()
            if found is None:
                raise CommandError(f"There is no comparison {comparison!r}.")
            documents = documents.filter(pk__in=[found.left_id, found.right_id])
        origin = f"extractor/{EXTRACTOR_VERSION}"
        for document in documents:
            stored = attributing.proposals_store(
                document=document, proposals=propose(document.text), origin=origin
            )
            self.stdout.write(f"{document.slug}: {stored} new proposal{'' if stored == 1 else 's'}")
