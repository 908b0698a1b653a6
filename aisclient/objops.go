package aisclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// DeleteObject removes an object. A missing object is ErrNotFound. Not retried except
// when no connection could be opened.
func (c *Client) DeleteObject(ctx context.Context, bck Bck, name string) error {
	if err := validObjectName(name); err != nil {
		return err
	}
	cl := &call{
		op: "DeleteObject", method: http.MethodDelete, path: objectPath(bck, name), query: bck.query(),
		meta: true, route: bck.key(name),
	}
	return c.do(ctx, cl, nil)
}

// RenameObject renames an object within an ais bucket. AIS copies, then deletes the
// source (not atomic, O(size)) and silently replaces an existing destination. It is
// bounded by ctx only, since AIS answers after the copy.
func (c *Client) RenameObject(ctx context.Context, bck Bck, from, to string) error {
	if err := validObjectName(from); err != nil {
		return err
	}
	if err := validObjectName(to); err != nil {
		return err
	}
	body, err := json.Marshal(actMsg{Action: "rename-obj", Name: to})
	if err != nil {
		return err
	}
	cl := &call{
		op: "RenameObject", method: http.MethodPost, path: objectPath(bck, from), query: bck.query(),
		body: body, json: true, route: bck.key(from),
	}
	return c.do(ctx, cl, nil)
}

// PatchCustom updates custom metadata without rewriting the object or bumping its
// version: md is merged into the existing keys, or replaces all of them when replace is set.
func (c *Client) PatchCustom(ctx context.Context, bck Bck, name string, md map[string]string, replace bool) error {
	if err := validObjectName(name); err != nil {
		return err
	}
	for k, v := range md {
		if k == "" || strings.ContainsRune(k, '\x01') || strings.ContainsRune(v, '\x01') {
			return fmt.Errorf("aisclient: custom metadata %q: %w", k, ErrInvalidArgument)
		}
	}
	if md == nil {
		md = map[string]string{}
	}
	body, err := json.Marshal(actMsg{Value: md})
	if err != nil {
		return err
	}
	q := bck.query()
	if replace {
		q.Set("set-new-custom", "true")
	}
	// Setting keys to given values is idempotent, so a PATCH is retried like a read: the
	// metadata PATCHed after an append-flush, or by chmod/utimens, must survive a 503 or a restart.
	cl := &call{
		op: "PatchCustom", method: http.MethodPatch, path: objectPath(bck, name), query: q,
		body: body, json: true, meta: true, route: bck.key(name), retry: true,
	}
	return c.do(ctx, cl, nil)
}

// actMsg is AIS's control message (apc.ActMsg).
type actMsg struct {
	Action string `json:"action,omitempty"`
	Name   string `json:"name,omitempty"`
	Value  any    `json:"value,omitempty"`
}
