"""Email alert pages: subscribe, confirm, manage, unsubscribe, privacy."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from mps_portal.limits import client_ip

from . import services
from .forms import FrequencyForm, ManageRequestForm, SubscribeForm
from .models import Frequency, Subscriber

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _page(request, template, context=None, status=200):
    response = TemplateResponse(request, template, context or {}, status=status)
    for name, value in NO_STORE.items():
        response[name] = value
    return response


def _link_error(request, error: services.LinkError, what: str):
    return _page(
        request,
        "alerts/link_error.html",
        {"expired": error.expired, "what": what},
        status=400,
    )


def subscribe(request, source):
    """The search to follow, checked first, then the address and how often."""
    try:
        search = services.search_check(source=source, data=request.GET)
    except services.SearchError as error:
        return _page(
            request, "alerts/search_error.html", {"errors": error.messages}, status=400
        )
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_request(
                email=form.cleaned_data["email"],
                search=search,
                frequency=form.cleaned_data["frequency"],
                client_ip=client_ip(request),
            )
        except services.TooManyEmails as error:
            response = _page(
                request,
                "alerts/too_many.html",
                {"retry_after_minutes": -(-error.retry_after // 60)},
                status=429,
            )
            response["Retry-After"] = str(error.retry_after)
            return response
        return redirect("alerts:check-email")
    status = 400 if form.errors else 200
    return _page(
        request, "alerts/subscribe.html", {"form": form, "search": search}, status
    )


def confirm(request, token):
    """A confirmation link: a button to confirm (a GET never subscribes, so mail
    scanners that follow links subscribe nobody)."""
    try:
        data, search = services.confirmation_read(token=token)
    except services.LinkError as error:
        return _link_error(request, error, "confirmation")
    except services.SearchError as error:
        return _page(
            request, "alerts/search_error.html", {"errors": error.messages}, status=400
        )
    if request.method == "POST":
        subscription = services.subscription_confirm(token=token)
        return _page(
            request,
            "alerts/confirmed.html",
            {
                "search": search,
                "subscription": subscription,
                "manage_url": reverse(
                    "alerts:manage",
                    args=[services.manage_token(subscription.subscriber)],
                ),
            },
        )
    return _page(request, "alerts/confirm.html", {"search": search, "email": data["e"]})


def manage_request(request):
    """Ask for a link to manage subscriptions: the answer never says whether the
    address has any."""
    form = ManageRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.manage_link_request(email=form.cleaned_data["email"])
        return redirect("alerts:manage-sent")
    return _page(
        request,
        "alerts/manage_request.html",
        {"form": form},
        400 if form.errors else 200,
    )


def manage(request, token):
    """Every subscription of the address the signed link was sent to."""
    try:
        subscriber = services.subscriber_from_manage_token(token)
    except services.LinkError as error:
        return _link_error(request, error, "manage")
    subscriptions = subscriber.subscriptions.order_by("pk")
    message = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unsubscribe-all":
            services.subscriptions_delete(subscriptions=subscriptions)
            return _page(request, "alerts/unsubscribed.html", {"everything": True})
        form = FrequencyForm(request.POST)
        if action not in {"unsubscribe", "frequency"} or not form.is_valid():
            return _manage_page(request, subscriptions, 400, form_errors=True)
        chosen = subscriptions.filter(pk=form.cleaned_data["subscription"])
        if action == "unsubscribe":
            services.subscriptions_delete(subscriptions=chosen)
            if not Subscriber.objects.filter(pk=subscriber.pk).exists():
                return _page(request, "alerts/unsubscribed.html", {"everything": True})
            message = "You have unsubscribed from that search"
        else:
            chosen.update(frequency=form.cleaned_data["frequency"])
            message = "How often you get emails has been changed"
    return _manage_page(request, subscriptions, message=message, email=subscriber.email)


def _rows(subscriptions):
    return [
        {"subscription": s, "search": services.search_for(s)} for s in subscriptions
    ]


def _manage_page(request, subscriptions, status=200, **context):
    return _page(
        request,
        "alerts/manage.html",
        {"rows": _rows(subscriptions), "frequencies": Frequency.choices, **context},
        status=status,
    )


@csrf_exempt
def unsubscribe(request, token):
    """An unsubscribe link (GET shows a button) and the one-click unsubscribe of
    RFC 8058 (POST without a CSRF token: the signed link is the proof)."""
    try:
        if request.method == "POST":
            services.subscriptions_delete_by_token(token=token)
            if request.POST.get("List-Unsubscribe") == "One-Click":
                return HttpResponse("Unsubscribed", content_type="text/plain")
            return _page(request, "alerts/unsubscribed.html", {})
        services.unsubscribe_check(token)
    except services.LinkError as error:
        return _link_error(request, error, "unsubscribe")
    return _page(request, "alerts/unsubscribe.html", {})


class AlertPage(TemplateView):
    def get(self, request, *args, **kwargs):
        return _page(request, self.template_name, self.get_context_data())
