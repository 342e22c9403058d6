"""Alert threshold profiles: the default profile, one default, sane rule thresholds."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from monitoring.models import Comparison, Metric, Severity, ThresholdProfile, ThresholdRule
from tests.factories import ThresholdProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile():
    return ThresholdProfileFactory()


def rule(profile, metric, threshold, **fields) -> ThresholdRule:
    return ThresholdRule(profile=profile, metric=metric, threshold=Decimal(threshold), **fields)


class TestDefaultProfile:
    def test_the_data_migration_creates_a_default_profile_with_rules(self):
        default = ThresholdProfile.objects.get(is_default=True)

        rules = set(default.rules.values_list("metric", "comparison", "threshold", "severity"))

        assert default.name == "Standard"
        assert rules == {
            (Metric.CPU_PERCENT, Comparison.ABOVE, Decimal(90), Severity.WARNING),
            (Metric.MEMORY_PERCENT, Comparison.ABOVE, Decimal(90), Severity.WARNING),
            (Metric.DISK_USED_PERCENT, Comparison.ABOVE, Decimal(90), Severity.WARNING),
            (Metric.DISK_USED_PERCENT, Comparison.ABOVE, Decimal(97), Severity.CRITICAL),
            (Metric.OFFLINE_MINUTES, Comparison.AT_LEAST, Decimal(10), Severity.CRITICAL),
        }

    def test_the_default_rules_pass_their_own_validation(self):
        default = ThresholdProfile.objects.get(is_default=True)

        for item in default.rules.all():
            item.full_clean()

        assert default.rules.filter(enabled=True).count() == 5

    def test_the_database_allows_one_default_profile(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ThresholdProfileFactory(is_default=True)

        assert ThresholdProfile.objects.filter(is_default=True).count() == 1

    def test_full_clean_reports_a_second_default(self):
        with pytest.raises(ValidationError) as excinfo:
            ThresholdProfileFactory.build(is_default=True).full_clean()

        assert "Only one threshold profile can be the default." in excinfo.value.messages

    def test_names_are_unique_ignoring_case(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ThresholdProfileFactory(name="STANDARD")

    def test_clean_trims_the_name(self):
        profile = ThresholdProfileFactory.build(name="  Servers  ")

        profile.full_clean()

        assert profile.name == "Servers"


class TestRules:
    @pytest.mark.parametrize(
        "metric", [Metric.CPU_PERCENT, Metric.MEMORY_PERCENT, Metric.DISK_USED_PERCENT]
    )
    def test_a_percentage_above_100_is_refused_by_clean(self, profile, metric):
        with pytest.raises(ValidationError) as excinfo:
            rule(profile, metric, "100.5").full_clean()

        assert excinfo.value.message_dict["threshold"] == [
            "A percentage threshold cannot be above 100."
        ]

    @pytest.mark.parametrize(
        "metric", [Metric.CPU_PERCENT, Metric.MEMORY_PERCENT, Metric.DISK_USED_PERCENT]
    )
    def test_a_percentage_above_100_is_refused_by_the_database(self, profile, metric):
        with pytest.raises(IntegrityError), transaction.atomic():
            rule(profile, metric, "101").save()

    def test_exactly_100_percent_is_accepted(self, profile):
        item = rule(profile, Metric.CPU_PERCENT, "100")

        item.full_clean()
        item.save()

        assert profile.rules.get().threshold == Decimal(100)

    @pytest.mark.parametrize(
        ("metric", "threshold"), [(Metric.DISK_FREE_GB, "500"), (Metric.OFFLINE_MINUTES, "1440")]
    )
    def test_other_metrics_may_exceed_100(self, profile, metric, threshold):
        item = rule(profile, metric, threshold)

        item.full_clean()
        item.save()

        assert profile.rules.get().threshold == Decimal(threshold)

    def test_a_negative_threshold_is_refused_by_the_database(self, profile):
        with pytest.raises(IntegrityError), transaction.atomic():
            rule(profile, Metric.DISK_FREE_GB, "-1").save()

    @pytest.mark.parametrize("metric", [Metric.DISK_USED_PERCENT, Metric.DISK_FREE_GB])
    def test_disk_rules_may_name_a_volume(self, profile, metric):
        item = rule(profile, metric, "10", volume="C:")

        item.full_clean()

        assert item.volume == "C:"

    @pytest.mark.parametrize(
        "metric", [Metric.CPU_PERCENT, Metric.MEMORY_PERCENT, Metric.OFFLINE_MINUTES]
    )
    def test_only_disk_rules_apply_to_a_volume(self, profile, metric):
        with pytest.raises(ValidationError) as excinfo:
            rule(profile, metric, "10", volume="/").full_clean()

        assert excinfo.value.message_dict["volume"] == ["Only disk rules apply to a volume."]
