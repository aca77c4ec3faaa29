"""The base of every factory of a tracked model: saves through the history helper."""

import factory

from registry.audit import history


class TrackedFactory(factory.django.DjangoModelFactory):
    """Creates tracked objects as the system actor, with a reason, as a service would."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        return history.save(obj, by=history.system_user(), reason="test data")
