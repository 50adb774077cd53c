package policy

import (
	"path/filepath"

	"countersign/backend/proposal"
)

// Role names a preset of rules for people who do not write rules.
type Role string

const (
	RoleViewer    Role = "viewer"
	RoleEditor    Role = "editor"
	RoleOrganizer Role = "organizer"
)

// RoleInfo describes a role in plain words.
type RoleInfo struct {
	Role        Role   `json:"role"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Roles lists the presets, from least to most trusted.
var Roles = []RoleInfo{
	{RoleViewer, "Viewer", "Agents can look but never change anything on their own: every change, command and upload is asked first."},
	{RoleEditor, "Editor", "Agents may write and edit files (spreadsheets included) in the workspace without asking. Deleting, moving, running commands and sending data are always asked first."},
	{RoleOrganizer, "Organizer", "Like Editor, and agents may also move files and create folders in the workspace without asking. Deleting, running commands and sending data are always asked first."},
}

// Preset returns the rules of role for the workspace (an absolute folder),
// or nil for an unknown role or a workspace that is not absolute. The rules
// apply to every agent.
func Preset(role Role, workspace string) []Rule {
	if !filepath.IsAbs(workspace) {
		return nil
	}
	ws := filepath.Clean(workspace)
	edit := Rule{ID: "preset:" + string(role) + ":edit", Effect: EffectAllow, Folder: ws, CreatedBy: "preset",
		Kinds: []proposal.Kind{proposal.KindFileWrite, proposal.KindFileEdit, proposal.KindSheetUpdate}}
	organize := Rule{ID: "preset:" + string(role) + ":organize", Effect: EffectAllow, Folder: ws, CreatedBy: "preset",
		Kinds: []proposal.Kind{proposal.KindFileMove, proposal.KindDirCreate}}
	switch role {
	case RoleViewer:
		return []Rule{}
	case RoleEditor:
		return []Rule{edit}
	case RoleOrganizer:
		return []Rule{edit, organize}
	}
	return nil
}
