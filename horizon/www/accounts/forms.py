from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.views.decorators.debug import sensitive_variables

from horizon.accounts import throttling
from horizon.accounts.tasks import send_password_reset_email
from horizon.utils.forms import BootstrapFormMixin

User = get_user_model()

INVALID_EMAIL_MESSAGE = "Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr."
DUPLICATE_EMAIL_MESSAGE = (
    "Un compte existe déjà avec cette adresse e-mail. Connectez-vous ou réinitialisez votre mot de passe."
)
CONSENT_REQUIRED_MESSAGE = "Vous devez accepter les conditions générales d'utilisation pour créer un compte."


def _email_field(**kwargs):
    return forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": INVALID_EMAIL_MESSAGE},
        **kwargs,
    )


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    """E-mail + password, refused without checking the password once too many attempts failed."""

    username = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"invalid": INVALID_EMAIL_MESSAGE},
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Adresse e-mail ou mot de passe incorrect.",
    }

    @sensitive_variables("password")
    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not (email and password):
            return self.cleaned_data
        email = throttling.normalize_email(email)
        ip = throttling.client_ip(self.request)
        if throttling.is_throttled(email, ip):
            throttling.record_attempt(email, ip, succeeded=False, throttled=True)
            raise ValidationError(throttling.throttled_message(), code="throttled")
        self.user_cache = authenticate(self.request, username=email, password=password)
        if self.user_cache is None:
            throttling.record_attempt(email, ip, succeeded=False)
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        throttling.record_attempt(email, ip, succeeded=True)
        return self.cleaned_data

    def get_invalid_login_error(self):
        return ValidationError(self.error_messages["invalid_login"], code="invalid_login")


def _name_fields():
    """First and last name, required here although optional on the model (accounts created by staff)."""
    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    return first_name, last_name


# Note: BootstrapFormMixin validates bound forms inside __init__ (to mark invalid widgets), so every
# field setting that affects validation (required, disabled, initial) is declared at class level or
# passed to __init__, never changed after it.


class SignupForm(BootstrapFormMixin, auth_forms.SetPasswordMixin, forms.ModelForm):
    """A new account: e-mail, name, password twice (Django's validators) and consent to the terms of use."""

    email = _email_field()
    first_name, last_name = _name_fields()
    password1, password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1="Mot de passe", label2="Confirmation du mot de passe"
    )
    password2.help_text = "Saisissez le même mot de passe, pour vérification."
    consent = forms.BooleanField(
        label="J'ai lu et j'accepte les conditions générales d'utilisation",
        required=True,
        error_messages={"required": CONSENT_REQUIRED_MESSAGE},
        help_text=format_lazy(
            '<a href="{}" target="_blank" rel="noopener">Lire les conditions générales d\'utilisation'
            '<span class="visually-hidden"> (nouvelle fenêtre)</span></a>',
            reverse_lazy("accounts:terms"),
        ),
    )

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")

    def clean_email(self):
        email = throttling.normalize_email(self.cleaned_data.get("email"))
        if email and User.objects.filter(email__iexact=email).exists():
            raise ValidationError(DUPLICATE_EMAIL_MESSAGE, code="duplicate_email")
        return email

    def clean(self):
        self.validate_passwords()
        return super().clean()

    def _post_clean(self):
        super()._post_clean()
        # After super(): self.instance holds the e-mail and names the similarity validator compares with.
        self.validate_password_for_user(self.instance)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.terms_accepted_at = timezone.now()
        return self.set_password_and_save(user, commit=commit)


class InvitationSignupForm(SignupForm):
    """Sign-up from an invitation: the e-mail is the invited one; whatever is posted for it is ignored."""

    email = _email_field(
        disabled=True, help_text="L'invitation a été envoyée à cette adresse : elle sera votre identifiant."
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, initial={"email": invitation.email}, **kwargs)


class ProfileForm(BootstrapFormMixin, forms.ModelForm):
    first_name, last_name = _name_fields()

    class Meta:
        model = User
        fields = ("first_name", "last_name", "phone", "job_title")
        widgets = {
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }
        help_texts = {"job_title": "Par exemple : directrice, responsable RH, comptable…"}


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    """Queues the e-mail in the background whatever the address: the page and its timing never tell
    whether an account exists."""

    email = _email_field()

    def save(self, *, request, use_https=False, **kwargs):
        send_password_reset_email.enqueue(
            email=self.cleaned_data["email"], domain=request.get_host(), use_https=use_https
        )
