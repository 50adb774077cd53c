package redact

import "strings"

// plain names the common rules in plain words. Rules not listed are named
// from their id ("twilio-api-key" becomes "a Twilio API key").
var plain = map[string]string{
	"aws-access-token":        "an AWS access key",
	"github-pat":              "a GitHub personal access token",
	"github-fine-grained-pat": "a GitHub personal access token",
	"github-oauth":            "a GitHub OAuth token",
	"github-app-token":        "a GitHub app token",
	"github-refresh-token":    "a GitHub refresh token",
	"gitlab-pat":              "a GitLab personal access token",
	"private-key":             "a private key",
	"generic-api-key":         "an API key or other secret",
	"jwt":                     "a JSON Web Token",
	"slack-bot-token":         "a Slack bot token",
	"slack-user-token":        "a Slack user token",
	"slack-webhook-url":       "a Slack webhook URL",
	"stripe-access-token":     "a Stripe API key",
	"openai-api-key":          "an OpenAI API key",
	"anthropic-api-key":       "an Anthropic API key",
	"gcp-api-key":             "a Google Cloud API key",
	"npm-access-token":        "an npm access token",
	"pypi-upload-token":       "a PyPI upload token",
	"curl-auth-header":        "a credential in a curl header",
	"curl-auth-user":          "a password given to curl",
	"url-password":            "a password in a URL",
	"password-assignment":     "a password or token",
	"password-flag":           "a password or token on a command line",
	"bearer-token":            "a bearer token",
	"payment-card":            "a payment card number",
	"iban":                    "a bank account number (IBAN)",
	"us-ssn":                  "a US social security number",
	"email-address":           "an email address",
}

// acronyms are written in capitals when a rule id is turned into words.
var acronyms = map[string]string{"api": "API", "aws": "AWS", "gcp": "GCP", "id": "ID", "pat": "PAT",
	"oauth": "OAuth", "url": "URL", "jwt": "JWT", "ci": "CI", "cicd": "CI/CD", "npm": "npm"}

// Describe names what a rule finds, in plain words.
func Describe(ruleID string) string {
	if s, ok := plain[ruleID]; ok {
		return s
	}
	words := strings.Split(ruleID, "-")
	for i, w := range words {
		if a, ok := acronyms[w]; ok {
			words[i] = a
		} else if i == 0 && w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	s := strings.Join(words, " ")
	if s == "" {
		return "a secret"
	}
	if strings.ContainsRune("AEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
