// Package webhooks sends §14's events to the endpoints that take them: the
// endpoints and their secrets, the Standard Webhooks signature, one HTTP
// client that refuses private destinations as it connects, and the
// delivery of one attempt with its retry schedule, the 410 and five-day
// rules. The queue package runs the deliveries as jobs.
package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// secretPrefix begins every secret (§14, as the Standard Webhooks
// libraries expect it).
const secretPrefix = "whsec_"

// NewSecret is a new signing secret: whsec_ and the base64 of 32 random
// bytes.
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Mask is a secret as shown after its creation: its prefix and last four.
func Mask(secret string) string {
	if len(secret) < len(secretPrefix)+4 {
		return secretPrefix + "…"
	}
	return secretPrefix + "…" + secret[len(secret)-4:]
}

var errBadSecret = errors.New("a webhook secret is whsec_ and base64")

// Sign is the Standard Webhooks (version 1) signature of one message:
// "v1," and the base64 of HMAC-SHA256 over id.timestamp.body, keyed with
// the base64-decoded part of the secret after whsec_.
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return "", errBadSecret
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Signatures is the webhook-signature header: a signature with each active
// secret, separated by spaces.
func Signatures(secrets []string, id string, timestamp int64, body []byte) (string, error) {
	out := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := Sign(s, id, timestamp, body)
		if err != nil {
			return "", err
		}
		out = append(out, sig)
	}
	return strings.Join(out, " "), nil
}
