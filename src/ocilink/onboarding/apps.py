from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "ocilink.onboarding"
    label = "onboarding"
