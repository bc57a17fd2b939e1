import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from horizon.accounts.exports import personal_data
from horizon.accounts.tasks import reset_link_days
from horizon.organisations.models import Invitation, Membership
from horizon.organisations.services import accept_invitation
from horizon.programmes.models import ProgrammeMembership

from .forms import (
    DUPLICATE_EMAIL_MESSAGE,
    InvitationSignupForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignupForm,
)

User = get_user_model()


def _safe_next(request):
    """The `next` URL of the request when it points to this site, else an empty string."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


# --- Login, logout, passwords -------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Votre mot de passe a été modifié.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(reset_link_days=reset_link_days(), **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Sign-up ------------------------------------------------------------------------------------


def _save_new_user(form):
    """Create the account; a concurrent sign-up with the same address becomes a form error, not a 500."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error("email", DUPLICATE_EMAIL_MESSAGE)
        return None


@login_not_required
@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _save_new_user(form)
        if user is not None:
            login(request, user)
            messages.success(request, "Votre compte est créé. Bienvenue sur Horizon ESS !")
            return redirect(next_url or "structures:find")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_not_required
@require_GET
def terms(request):
    return render(request, "accounts/terms.html")


# --- Invitations --------------------------------------------------------------------------------


def _render_unusable(request, invitation):
    """Expired or already used: say so, say whom to ask, and link to the structure for its members."""
    is_member = (
        request.user.is_authenticated
        and Membership.objects.active().filter(user=request.user, structure=invitation.structure_id).exists()
    )
    return render(request, "accounts/invitation/unusable.html", {"invitation": invitation, "is_member": is_member})


def _accepted(request, invitation):
    messages.success(request, f"Vous avez rejoint la structure « {invitation.structure.display_name} ».")
    return redirect("structures:detail", pk=invitation.structure_id)


@login_not_required
@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """Join a structure from an invitation link. Each situation has its page; only POST writes."""
    invitation = get_object_or_404(Invitation.objects.select_related("structure", "invited_by"), token=token)
    if not invitation.is_usable:
        return _render_unusable(request, invitation)
    context = {"invitation": invitation}
    user = request.user

    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(request, "accounts/invitation/wrong_account.html", context)
        if request.method == "POST":
            try:
                accept_invitation(invitation, user)
            except ValueError:
                invitation.refresh_from_db()
                return _render_unusable(request, invitation)
            return _accepted(request, invitation)
        return render(request, "accounts/invitation/confirm.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"
        return render(request, "accounts/invitation/login.html", {**context, "login_url": login_url})

    form = InvitationSignupForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
                accept_invitation(invitation, user)
        except IntegrityError:
            form.add_error("email", DUPLICATE_EMAIL_MESSAGE)
        except ValueError:
            invitation.refresh_from_db()
            return _render_unusable(request, invitation)
        else:
            login(request, user)
            return _accepted(request, invitation)
    return render(request, "accounts/invitation/signup.html", {**context, "form": form})


# --- Profile and personal data ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Votre profil a été mis à jour.")
        return redirect("accounts:profile")
    memberships = Membership.objects.active().filter(user=user).select_related("structure").order_by("structure__name")
    programme_memberships = (
        ProgrammeMembership.objects.active()
        .filter(user=user)
        .select_related("programme")
        .order_by("programme__name", "role")
    )
    context = {
        "form": form,
        "memberships": memberships,
        "programme_memberships": programme_memberships,
    }
    return render(request, "accounts/profile.html", context)


@never_cache
@require_GET
def export_data(request):
    data = personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"horizon-ess-mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
