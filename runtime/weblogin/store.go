package weblogin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"time"

	"github.com/mwgen/mwgen/internal/atomicfile"
)

// SessionStore keeps sessions on the server, by id. The ids a [Handler]
// uses are 64 lowercase hex digits (a SHA-256 hash of the cookie's random
// value, never the cookie value itself). Implementations must be safe for
// concurrent use, must store a copy (a later change to the *Session given
// to Put must not change what Get returns), and should forget a session
// once it is past its Expires.
type SessionStore interface {
	// Get returns the session stored under id, or an error that
	// errors.Is [ErrNoSession] when there is none (or it expired).
	Get(ctx context.Context, id string) (*Session, error)
	// Put stores s under id, replacing any.
	Put(ctx context.Context, id string, s *Session) error
	// Delete forgets the session under id; deleting a missing session is
	// not an error.
	Delete(ctx context.Context, id string) error
}

// ErrNoSession is returned by a SessionStore's Get for an unknown or
// expired session.
var ErrNoSession = errors.New("weblogin: no such session")

// ErrInvalidID is returned by the stores of this package for an id that is
// not 32 to 128 lowercase hex digits.
var ErrInvalidID = errors.New("weblogin: invalid session id (want 32 to 128 lowercase hex digits)")

// validID reports whether id is 32 to 128 lowercase hex digits, which
// also makes it safe as a file name.
func validID(id string) bool {
	if len(id) < 32 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// sweepEvery is how often the stores drop expired sessions, at the next
// Put.
const sweepEvery = 10 * time.Minute

// MemoryStore is a SessionStore in memory: sessions are lost when the
// process exits. Expired sessions are dropped as they are read, and all of
// them every ten minutes.
type MemoryStore struct {
	mu        sync.Mutex
	m         map[string]memEntry
	lastSweep time.Time
	now       func() time.Time
}

type memEntry struct {
	data    []byte // the session as JSON: a copy nobody else holds
	expires time.Time
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{m: make(map[string]memEntry), now: time.Now}
}

// Get implements SessionStore.
func (m *MemoryStore) Get(_ context.Context, id string) (*Session, error) {
	if !validID(id) {
		return nil, ErrInvalidID
	}
	m.mu.Lock()
	e, ok := m.m[id]
	if ok && expired(e.expires, m.now()) {
		delete(m.m, id)
		ok = false
	}
	m.mu.Unlock()
	if !ok {
		return nil, ErrNoSession
	}
	var s Session
	if err := json.Unmarshal(e.data, &s); err != nil {
		return nil, fmt.Errorf("weblogin: decoding session: %w", err)
	}
	return &s, nil
}

// Put implements SessionStore.
func (m *MemoryStore) Put(_ context.Context, id string, s *Session) error {
	if !validID(id) {
		return ErrInvalidID
	}
	if s == nil {
		return errors.New("weblogin: Put of a nil session")
	}
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("weblogin: encoding session: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if now.Sub(m.lastSweep) >= sweepEvery {
		m.lastSweep = now
		for k, e := range m.m {
			if expired(e.expires, now) {
				delete(m.m, k)
			}
		}
	}
	m.m[id] = memEntry{data: data, expires: s.Expires}
	return nil
}

// Delete implements SessionStore.
func (m *MemoryStore) Delete(_ context.Context, id string) error {
	if !validID(id) {
		return ErrInvalidID
	}
	m.mu.Lock()
	delete(m.m, id)
	m.mu.Unlock()
	return nil
}

// Len returns the number of sessions held, expired ones included.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}

func expired(expires, now time.Time) bool {
	return !expires.IsZero() && !now.Before(expires)
}

// FileStore is a SessionStore in a directory, one JSON file per session
// (ID.json), so that sessions survive a restart. The directory is
// created with mode 0700 and must not be accessible to other users; the
// files are written with mode 0600, atomically (a temporary file and a
// rename). Files that other users could read, and symbolic links, are
// refused. Expired sessions are removed when read, and all of them every
// ten minutes.
//
// Several processes may share the directory; each Put replaces the whole
// file.
type FileStore struct {
	dir string

	mu        sync.Mutex // guards lastSweep
	lastSweep time.Time
	now       func() time.Time
}

// ErrInsecureDir is returned by [NewFileStore] for a directory that other
// users can access, and by Get for a session file they can.
var ErrInsecureDir = errors.New("weblogin: the session directory or file is accessible to other users")

// NewFileStore returns a FileStore in dir, creating it (mode 0700) if
// needed. An existing dir must be a directory that only its owner can
// access (chmod 700).
func NewFileStore(dir string) (*FileStore, error) {
	if dir == "" {
		return nil, errors.New("weblogin: NewFileStore: empty directory name")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("weblogin: session directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("weblogin: session directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("weblogin: session directory %s is not a directory", dir)
	}
	if goruntime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %v; run chmod 700 %s, or use a new directory", ErrInsecureDir, dir, fi.Mode().Perm(), dir)
	}
	return &FileStore{dir: dir, now: time.Now}, nil
}

// Dir returns the store's directory.
func (f *FileStore) Dir() string { return f.dir }

func (f *FileStore) path(id string) string { return filepath.Join(f.dir, id+".json") }

// Get implements SessionStore.
func (f *FileStore) Get(_ context.Context, id string) (*Session, error) {
	if !validID(id) {
		return nil, ErrInvalidID
	}
	s, err := f.read(f.path(id))
	if err != nil {
		return nil, err
	}
	if s.Expired(f.now()) {
		_ = os.Remove(f.path(id))
		return nil, ErrNoSession
	}
	return s, nil
}

// read reads one session file, refusing links and files others can read.
func (f *FileStore) read(path string) (*Session, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("weblogin: reading session: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("weblogin: session file %s is not a regular file", path)
	}
	if goruntime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %v", ErrInsecureDir, path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) { // deleted meanwhile
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("weblogin: reading session: %w", err)
	}
	var s Session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("weblogin: session file %s: %w", path, err)
	}
	return &s, nil
}

// Put implements SessionStore.
func (f *FileStore) Put(_ context.Context, id string, s *Session) error {
	if !validID(id) {
		return ErrInvalidID
	}
	if s == nil {
		return errors.New("weblogin: Put of a nil session")
	}
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("weblogin: encoding session: %w", err)
	}
	if err := atomicfile.WriteFile(f.path(id), data, 0o600); err != nil {
		return fmt.Errorf("weblogin: storing session: %w", err)
	}
	f.maybeSweep()
	return nil
}

// Delete implements SessionStore.
func (f *FileStore) Delete(_ context.Context, id string) error {
	if !validID(id) {
		return ErrInvalidID
	}
	if err := os.Remove(f.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("weblogin: deleting session: %w", err)
	}
	return nil
}

// maybeSweep runs Sweep when the last one is older than sweepEvery.
func (f *FileStore) maybeSweep() {
	f.mu.Lock()
	now := f.now()
	due := now.Sub(f.lastSweep) >= sweepEvery
	if due {
		f.lastSweep = now
	}
	f.mu.Unlock()
	if due {
		_ = f.Sweep()
	}
}

// Sweep removes the expired sessions, and temporary files that a crashed
// write left behind more than an hour ago.
func (f *FileStore) Sweep() error {
	entries, err := os.ReadDir(f.dir)
	if err != nil {
		return fmt.Errorf("weblogin: sweeping sessions: %w", err)
	}
	now := f.now()
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(f.dir, name)
		switch {
		case strings.HasSuffix(name, ".json") && validID(strings.TrimSuffix(name, ".json")):
			if s, err := f.read(path); err == nil && s.Expired(now) {
				_ = os.Remove(path)
			}
		case strings.HasPrefix(name, ".") && strings.Contains(name, ".json.tmp-"):
			if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > time.Hour {
				_ = os.Remove(path)
			}
		}
	}
	return nil
}
