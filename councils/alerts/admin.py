"""Read-only admin screens for alert subscriptions, for superusers only: the
addresses are personal data, so council commissioners never see them.

A delivery left “sending” by an interrupted run may be deleted here: the next run
of its kind within its window then sends it (perhaps a second time)."""

from django.contrib import admin
from django.db.models import Count

from .models import Delivery, Subscriber, Subscription


class SuperusersOnly:
    """Seen by superusers, changed by no one (people manage their own)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SubscriptionInline(SuperusersOnly, admin.TabularInline):
    model = Subscription
    fields = ["source", "query", "frequency", "confirmed_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Subscriber)
class SubscriberAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["email", "created_at", "searches"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    inlines = [SubscriptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(searches=Count("subscriptions"))

    @admin.display(description="searches followed", ordering="searches")
    def searches(self, subscriber):
        return subscriber.searches


@admin.register(Subscription)
class SubscriptionAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["subscriber", "source", "query", "frequency", "confirmed_at"]
    list_filter = ["source", "frequency"]
    list_select_related = ["subscriber"]
    search_fields = ["subscriber__email", "query"]


@admin.register(Delivery)
class DeliveryAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["key", "subscriber", "status", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["subscriber"]
    search_fields = ["subscriber__email", "key"]
    date_hierarchy = "sent_at"
    actions = None  # one at a time, from its own page

    def has_delete_permission(self, request, obj=None):
        # Only an unconfirmed delivery: deleting it lets the next run send it.
        return (
            request.user.is_active
            and request.user.is_superuser
            and (obj is None or obj.status == Delivery.Status.SENDING)
        )
