package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/i18n"
)

// Agencies and their staff, part of AccountsStore.

type agencyDoc struct {
	ID        string    `bson:"_id"`
	Slug      string    `bson:"slug"`
	Name      i18n.Text `bson:"name"`
	CreatedAt time.Time `bson:"created_at"`
}

func (d *agencyDoc) agency() *accounts.Agency {
	return &accounts.Agency{ID: d.ID, Slug: d.Slug, Name: d.Name, CreatedAt: d.CreatedAt.UTC()}
}

// CreateAgency inserts a. It returns accounts.ErrSlugTaken when an agency
// with the same slug exists, decided by the unique index on slug.
func (s *AccountsStore) CreateAgency(ctx context.Context, a *accounts.Agency) error {
	_, err := s.db.Collection(agenciesColl).InsertOne(ctx, agencyDoc{ID: a.ID, Slug: a.Slug, Name: a.Name, CreatedAt: a.CreatedAt})
	switch {
	case mongo.IsDuplicateKeyError(err):
		return accounts.ErrSlugTaken
	case err != nil:
		return fmt.Errorf("mongostore: insert agency: %w", err)
	}
	return nil
}

// Agency returns the agency with id, or accounts.ErrAgencyNotFound.
func (s *AccountsStore) Agency(ctx context.Context, id string) (*accounts.Agency, error) {
	return s.findAgency(ctx, bson.D{{Key: "_id", Value: id}})
}

// AgencyBySlug returns the agency with slug, or accounts.ErrAgencyNotFound.
func (s *AccountsStore) AgencyBySlug(ctx context.Context, slug string) (*accounts.Agency, error) {
	return s.findAgency(ctx, bson.D{{Key: "slug", Value: slug}})
}

func (s *AccountsStore) findAgency(ctx context.Context, filter bson.D) (*accounts.Agency, error) {
	return findOne(ctx, s.db.Collection(agenciesColl), filter, accounts.ErrAgencyNotFound, "agency", (*agencyDoc).agency)
}

// Agencies returns at most p.Limit agencies with IDs after p.After, ordered
// by ID; all of them when p.Limit is zero or less.
func (s *AccountsStore) Agencies(ctx context.Context, p accounts.ListParams) ([]*accounts.Agency, error) {
	return listPage(ctx, s.db.Collection(agenciesColl), p.After, p.Limit, "agencies", (*agencyDoc).agency)
}

type membershipDoc struct {
	ID        string    `bson:"_id"` // agency_id + "/" + user_id
	AgencyID  string    `bson:"agency_id"`
	UserID    string    `bson:"user_id"`
	Title     string    `bson:"title"`
	CreatedAt time.Time `bson:"created_at"`
}

func membershipID(agencyID, userID string) string { return agencyID + "/" + userID }

// PutMembership makes the user staff of the agency with m's title, or
// changes the title of an existing membership, keeping its CreatedAt. It is
// one upsert, so concurrent calls for one pair make one membership.
func (s *AccountsStore) PutMembership(ctx context.Context, m *accounts.Membership) error {
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: "title", Value: m.Title}}},
		{Key: "$setOnInsert", Value: bson.D{
			{Key: "agency_id", Value: m.AgencyID},
			{Key: "user_id", Value: m.UserID},
			{Key: "created_at", Value: m.CreatedAt},
		}},
	}
	_, err := s.db.Collection(membershipsColl).UpdateOne(ctx, bson.D{{Key: "_id", Value: membershipID(m.AgencyID, m.UserID)}},
		update, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("mongostore: put membership: %w", err)
	}
	return nil
}

// DeleteMembership removes the user from the agency's staff, or returns
// accounts.ErrStaffNotFound if the user is not on it.
func (s *AccountsStore) DeleteMembership(ctx context.Context, agencyID, userID string) error {
	res, err := s.db.Collection(membershipsColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: membershipID(agencyID, userID)}})
	switch {
	case err != nil:
		return fmt.Errorf("mongostore: delete membership: %w", err)
	case res.DeletedCount == 0:
		return accounts.ErrStaffNotFound
	}
	return nil
}

// UserMemberships returns the user's memberships ordered by agency ID; none
// is an empty slice, not an error.
func (s *AccountsStore) UserMemberships(ctx context.Context, userID string) ([]*accounts.Membership, error) {
	return s.memberships(ctx, bson.D{{Key: "user_id", Value: userID}}, "agency_id")
}

// AgencyMemberships returns the agency's staff ordered by user ID; none is an
// empty slice, not an error.
func (s *AccountsStore) AgencyMemberships(ctx context.Context, agencyID string) ([]*accounts.Membership, error) {
	return s.memberships(ctx, bson.D{{Key: "agency_id", Value: agencyID}}, "user_id")
}

func (s *AccountsStore) memberships(ctx context.Context, filter bson.D, sortKey string) ([]*accounts.Membership, error) {
	var docs []membershipDoc
	opts := options.Find().SetSort(bson.D{{Key: sortKey, Value: 1}})
	if err := findAll(ctx, s.db.Collection(membershipsColl), filter, opts, &docs); err != nil {
		return nil, fmt.Errorf("mongostore: list memberships: %w", err)
	}
	out := make([]*accounts.Membership, len(docs))
	for i, d := range docs {
		out[i] = &accounts.Membership{AgencyID: d.AgencyID, UserID: d.UserID, Title: d.Title, CreatedAt: d.CreatedAt.UTC()}
	}
	return out, nil
}
