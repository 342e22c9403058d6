"""What every /api/v1/ resource shares: paging, permissions, errors and form validation."""

import logging

logger = logging.getLogger(__name__)


class LoggedDestroyMixin:
    """Deletes through the API are logged as the console's delete views log them."""

    def perform_destroy(self, instance) -> None:
        label, pk = instance._meta.model_name, instance.pk
        instance.delete()
        logger.info("%s deleted over the API: id=%s by user=%s", label, pk, self.request.user.pk)
