// Package stdlibprofiles is jailc's own library of profiles, embedded in the
// binary so jailc works on a machine without Firejail installed. These
// profiles are written for jailc; they are not Firejail's (GPL) profiles.
// The resolver searches this library after -I directories,
// ~/.config/firejail and /etc/firejail.
package stdlibprofiles

import (
	"embed"
	"io/fs"
)

//go:embed profiles
var files embed.FS

// FS returns the library: file names at the top level, e.g. "default.profile".
func FS() fs.FS {
	sub, err := fs.Sub(files, "profiles")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	return sub
}
