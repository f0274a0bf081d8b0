"""Evaluation campaigns (群众评议), their items (published publications), one-time invitations
(only the SHA-256 of each token is kept), the ratings, and failed-token attempts per address."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.accounts.models import User
from oversight.db import UTCDateTime, db, enum_column, utcnow
from oversight.orgs.models import Organisation
from reports.publications.models import Publication
from .workflow import InvitationState, Rating, State

# Column info marking data classification: never shown on a public page, feed or file.
SENSITIVE = {"classification": "sensitive"}


class Campaign(db.Model):
    __tablename__ = "evaluation_campaigns"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        sa.CheckConstraint("state <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancelled_has_reason"),
        sa.Index("ix_evaluation_campaigns_state_opens", "state", "opens_at"),
        sa.Index("ix_evaluation_campaigns_state_closes", "state", "closes_at"),
        sa.Index("ix_evaluation_campaigns_organiser", "organiser_org_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[State] = mapped_column(enum_column(State, name="evaluation_state"), default=State.DRAFT)
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    organiser_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    results_published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organiser_org: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list[CampaignItem]] = relationship(back_populates="campaign", order_by="CampaignItem.position",
                                                    cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class CampaignItem(db.Model):
    __tablename__ = "evaluation_items"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "publication_id", name="uq_evaluation_items_campaign_publication"),
        sa.Index("ix_evaluation_items_campaign", "campaign_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_campaigns.id"))
    publication_id: Mapped[int] = mapped_column(sa.ForeignKey("publications.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)

    campaign: Mapped[Campaign] = relationship(back_populates="items")
    publication: Mapped[Publication] = relationship(lazy="joined")


class EvaluationInvitation(db.Model):
    """One invitation: a one-time token (only its SHA-256 is stored; the token is shown once)."""

    __tablename__ = "evaluation_invitations"
    __table_args__ = (
        sa.CheckConstraint("state <> 'used' OR used_at IS NOT NULL", name="used_has_time"),
        sa.Index("ix_evaluation_invitations_campaign", "campaign_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_campaigns.id"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The numbering on the printed list (1, 2, …) so staff can revoke "No. 7" without the token.
    number: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(sa.String(100), default="", info=SENSITIVE)
    invitee_name: Mapped[str | None] = mapped_column(sa.String(100), info=SENSITIVE)
    state: Mapped[InvitationState] = mapped_column(enum_column(InvitationState, name="evaluation_invitation_state"),
                                                   default=InvitationState.UNUSED)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship()


class EvaluationResponse(db.Model):
    """One rating of one item by one invitation; all of an invitation's ratings are written together."""

    __tablename__ = "evaluation_responses"
    __table_args__ = (
        sa.UniqueConstraint("invitation_id", "item_id", name="uq_evaluation_responses_invitation_item"),
        sa.Index("ix_evaluation_responses_item", "item_id", "rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_invitations.id"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_items.id"))
    rating: Mapped[Rating] = mapped_column(enum_column(Rating, name="evaluation_rating"))
    # Free text from the public: internal (may hold personal data); never shown on the public portal.
    comment: Mapped[str] = mapped_column(sa.Text, default="", info={"classification": "internal"})
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[CampaignItem] = relationship()


class EvaluationTokenFailure(db.Model):
    """A wrong token tried from an address: counted over a window to refuse guessing."""

    __tablename__ = "evaluation_token_failures"
    __table_args__ = (sa.Index("ix_evaluation_token_failures_address", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
