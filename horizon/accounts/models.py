from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. What they may see comes from their memberships, never from flags on the user."""

    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    job_title = models.CharField("fonction", max_length=150, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField(
        "accès à l'administration", default=False, help_text="Peut se connecter à l'interface d'administration."
    )
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    terms_accepted_at = models.DateTimeField(
        "conditions d'utilisation acceptées le",
        null=True,
        blank=True,
        help_text="Date à laquelle la personne a accepté les conditions générales d'utilisation.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur·rice"
        verbose_name_plural = "utilisateur·rices"
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)


class LoginAttemptQuerySet(models.QuerySet):
    def recent_failures(self, since):
        """Wrong credentials since `since`. Attempts refused by throttling are not failures: counting them
        would extend the lock-out for as long as someone keeps trying."""
        return self.filter(succeeded=False, throttled=False, created_at__gte=since)


class LoginAttempt(models.Model):
    """One login attempt, kept in the database so that every app server sees the same counts."""

    email = models.CharField("adresse e-mail saisie", max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True, db_index=True)
    succeeded = models.BooleanField("réussie", default=False)
    throttled = models.BooleanField(
        "refusée (trop de tentatives)",
        default=False,
        help_text="La tentative a été refusée sans vérifier le mot de passe, après trop d'échecs.",
    )
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)

    objects = LoginAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = "tentative de connexion"
        verbose_name_plural = "tentatives de connexion"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(succeeded=True, throttled=True), name="login_attempt_throttled_never_succeeds"
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.created_at:%d/%m/%Y %H:%M})"
