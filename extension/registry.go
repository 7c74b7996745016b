package extension

import (
	"cmp"
	"reflect"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// Registry holds extension points and their extensions, sorted by priority.
//
// # Order
//
// Extensions come back highest priority first; equal priorities keep
// registration order (the order in which Register or Add returned).
// No result depends on map iteration order.
//
// # Concurrency
//
// All methods are safe for concurrent use. Every read sees one consistent
// snapshot of a point: never a half-sorted or half-updated list. Writes
// (declaring, registering, unregistering) serialize on a mutex and only mark
// the point's snapshot stale; the first read after a change rebuilds it once,
// under that mutex, and publishes it with an atomic pointer. Every later read
// of the typed accessors ([All], [Extensions]) takes no lock and allocates
// nothing until the next change. The winner that [First] returns is
// republished by every write that changes it, so First never locks.
//
// # Cost
//
// Register is O(1) amortized: registering 20,000 extensions and reading them
// once sorts once. A rebuild appends in place when the new extensions sort
// after the existing ones (equal or falling priorities), in O(new), and
// otherwise merges into new arrays in O(n + new log new). So a read after
// every registration stays linear overall for equal or falling priorities,
// and is O(n) per read when extensions land in the middle.
//
// # Undeclared points
//
// By default a Registry is lenient (like pyfly): [Registry.Register] accepts
// an extension for a point nobody declared, untyped; declaring the point later
// checks every extension already there. [Strict] rejects such extensions with
// kernel.ErrUnknownPoint instead.
//
// The zero Registry is an empty, lenient registry; prefer [NewRegistry].
type Registry struct {
	strict bool

	// points maps ids to slots. The map is immutable once published: writers
	// copy it (under mu) to add a slot. Slots are never removed, so a slot
	// pointer held by a Point cache or an Extensions view stays valid.
	points atomic.Pointer[map[string]*slot]

	mu  sync.Mutex // serializes writers and snapshot rebuilds
	seq uint64     // registration counter, guarded by mu
}

// entry is one registration.
type entry struct {
	value    any
	priority int
	seq      uint64 // registration order, unique within a registry
}

// before reports whether a sorts before b: higher priority first, then
// earlier registration.
func before(a, b entry) bool {
	if a.priority != b.priority {
		return a.priority > b.priority
	}
	return a.seq < b.seq
}

// decl is a point's declaration. It is immutable once made.
type decl struct {
	typ      reflect.Type
	desc     string
	required bool
	// grow appends values to a []T backing of typ (nil for none) and returns
	// the new backing and the capped view to publish.
	grow func(backing any, more []any) (grown, published any)
	box  func(v any) any // a new *T holding v; a nil *T for a nil v
	none any             // box(nil), made once
}

// slot is the state of one point id.
type slot struct {
	id string
	// snap is the published snapshot; nil means stale (rebuild on next read).
	snap atomic.Pointer[snapshot]
	// head is the published winner, never nil, kept current by every write.
	head atomic.Pointer[head]

	// Writer state, guarded by Registry.mu. Published snapshots share the
	// arrays of sorted, values and typed, capped at their own length: the
	// writer may append beyond that length in place, never change what a
	// snapshot can see, and builds new arrays for any other change.
	decl     *decl   // nil while undeclared
	sorted   []entry // merged registrations, sorted
	values   []any   // the values of sorted, when valuesOK
	valuesOK bool
	typed    any     // []T of typedFor.typ holding values; nil unless typedFor == decl
	typedPub any     // typed capped at its length, as published
	typedFor *decl   // the declaration typed was built for
	pending  []entry // registered since the last rebuild, in registration order

	best        entry // the winner among sorted and pending, when hasBest
	hasBest     bool
	unknownErr  error // the errors heads carry, made once per declaration
	noneErr     error
	mismatchErr error
	errsFor     *decl
}

// snapshot is an immutable view of a slot.
type snapshot struct {
	decl    *decl   // nil when undeclared
	entries []entry // sorted
	values  []any   // entries' values, same order, cap == len
	typed   any     // []T of the declared type, cap == len; nil when undeclared
}

// NewRegistry returns an empty registry configured by opts.
func NewRegistry(opts ...RegistryOption) *Registry {
	r := &Registry{}
	for _, o := range opts {
		if o != nil {
			o.applyRegistry(r)
		}
	}
	m := map[string]*slot{}
	r.points.Store(&m)
	return r
}

// RegistryOption configures a [Registry] made with [NewRegistry].
type RegistryOption interface {
	applyRegistry(*Registry)
	String() string
}

type strictOption struct{}

func (strictOption) applyRegistry(r *Registry) { r.strict = true }
func (strictOption) String() string            { return "Strict()" }

// Strict makes the registry reject extensions for undeclared points:
// [Registry.Register] and [Add] on a point that is not declared fail with
// kernel.ErrUnknownPoint (with a "did you mean" hint when a declared id is
// close).
func Strict() RegistryOption { return strictOption{} }

// lookup returns the slot of id, or nil. It takes no lock and allocates
// nothing.
func (r *Registry) lookup(id string) *slot {
	m := r.points.Load()
	if m == nil {
		return nil
	}
	return (*m)[id]
}

// slotLocked returns the slot of id, creating it if there is none.
// r.mu must be held.
func (r *Registry) slotLocked(id string) *slot {
	if s := r.lookup(id); s != nil {
		return s
	}
	s := &slot{id: id}
	s.publishHead()
	old := r.points.Load()
	var m map[string]*slot
	if old == nil {
		m = make(map[string]*slot, 1)
	} else {
		m = make(map[string]*slot, len(*old)+1)
		for k, v := range *old {
			m[k] = v
		}
	}
	m[id] = s
	r.points.Store(&m)
	return s
}

// declared reports whether s's id is declared. It reads the published head
// (one atomic load): no lock, no snapshot rebuild, whether r.mu is held or
// not.
func (s *slot) declared() bool { return s.head.Load().first != nil }

// load returns the current snapshot of s, rebuilding it if a write made it
// stale. In the steady state it is one atomic load.
func (r *Registry) load(s *slot) *snapshot {
	if p := s.snap.Load(); p != nil {
		return p
	}
	return r.rebuild(s)
}

// rebuild builds and publishes a fresh snapshot of s.
func (r *Registry) rebuild(s *slot) *snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := s.snap.Load(); p != nil {
		return p
	}
	s.flush()
	p := &snapshot{decl: s.decl, typed: s.typedPub}
	if n := len(s.sorted); n > 0 {
		p.entries = s.sorted[:n:n]
		p.values = s.values[:n:n]
	}
	s.snap.Store(p)
	return p
}

// flush brings sorted, values and typed up to date with the pending
// registrations and the declaration. r.mu must be held.
//
// When every pending registration sorts after the last merged one (equal or
// falling priorities: the common case), they are appended in place, which
// costs O(pending) amortized; otherwise the lists are merged into new arrays
// in O(n + pending log pending).
func (s *slot) flush() {
	if p := s.pending; len(p) > 0 {
		// p is in registration order, so a stable sort on priority alone
		// also keeps registration order among equal priorities.
		slices.SortStableFunc(p, func(a, b entry) int { return cmp.Compare(b.priority, a.priority) })
		n := len(s.sorted)
		if s.valuesOK && (n == 0 || before(s.sorted[n-1], p[0])) {
			s.sorted = append(s.sorted, p...)
			start := len(s.values)
			for _, e := range p {
				s.values = append(s.values, e.value)
			}
			if s.decl != nil && s.typedFor == s.decl {
				s.typed, s.typedPub = s.decl.grow(s.typed, s.values[start:])
			} else {
				s.typedFor = nil
			}
		} else {
			s.sorted = merge(s.sorted, p)
			s.valuesOK = false
		}
		clear(p)
		s.pending = p[:0]
	}
	if !s.valuesOK {
		s.values = make([]any, len(s.sorted))
		for i, e := range s.sorted {
			s.values[i] = e.value
		}
		s.valuesOK = true
		s.typedFor = nil
	}
	switch {
	case s.decl == nil:
		s.typed, s.typedPub, s.typedFor = nil, nil, nil
	case s.typedFor != s.decl:
		s.typed, s.typedPub = s.decl.grow(nil, s.values)
		s.typedFor = s.decl
	}
}

// merge returns a new sorted slice of a (sorted) and b (sorted); on ties the
// elements of a come first, which before's sequence order also says.
func merge(a, b []entry) []entry {
	out := make([]entry, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if before(b[j], a[i]) {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// all returns every registration of s in sorted order. r.mu must be held.
func (s *slot) all() []entry {
	s.flush()
	return s.sorted
}

// RegisterPoint declares the extension point id with type typ, which must be
// an interface type (an extension must implement it) or a func type (an
// extension must be a function of exactly that type).
//
// Declaring an id again with the same type is a no-op. It fails with
//   - kernel.ErrExtension for an empty id, a nil type, or a type that is
//     neither an interface nor a func type (the type cannot make a point);
//   - kernel.ErrDuplicatePoint when id is declared with another type;
//   - kernel.ErrNotImplemented when an extension already registered for the
//     undeclared id does not fit typ; the registry is then left unchanged.
//
// The point is neither described nor required; use [Declare] with a [Point]
// for that.
func (r *Registry) RegisterPoint(id string, typ reflect.Type) error {
	if err := checkPoint(id, typ); err != nil {
		return err
	}
	box := boxReflect(typ)
	return r.declare(id, &decl{typ: typ, grow: growReflect(typ), box: box, none: box(nil)})
}

// declare declares id with d.
func (r *Registry) declare(id string, d *decl) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.declareLocked(id, d)
}

// declareLocked declares id with d unless it is declared with the same type.
// r.mu must be held.
func (r *Registry) declareLocked(id string, d *decl) error {
	s := r.lookup(id)
	if s != nil && s.decl != nil {
		if s.decl.typ == d.typ {
			return nil
		}
		return errDuplicatePoint(id, s.decl.typ, d.typ)
	}
	if s != nil {
		for _, e := range s.all() {
			if !fits(d.typ, e.value) {
				return errNotImplemented(id, d.typ, e.value)
			}
		}
	}
	s = r.slotLocked(id)
	s.decl = d
	s.snap.Store(nil)
	s.publishHead()
	return nil
}

// UnregisterPoint removes the declaration of id and reports whether id was
// declared. Extensions still registered for id stay, as extensions of an
// undeclared point: [Registry.Get] still returns them, the typed accessors and
// views see none, and declaring id again checks them against the new type.
// (The plugin manager unregisters a plugin's extensions before the points it
// declared, which leaves the registry as it was before the plugin.)
//
// UnregisterPoint is safe for concurrent use; views and Points of id stay
// valid and see the point again once it is declared again.
func (r *Registry) UnregisterPoint(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.lookup(id)
	if s == nil || s.decl == nil {
		return false
	}
	s.decl = nil
	s.snap.Store(nil)
	s.publishHead()
	return true
}

// HasPoint reports whether id is a declared extension point. It takes no lock
// and allocates nothing.
func (r *Registry) HasPoint(id string) bool {
	s := r.lookup(id)
	return s != nil && s.declared()
}

// PointIDs returns the ids of the declared points, sorted. Undeclared ids that
// have extensions (lenient registries) are not listed.
func (r *Registry) PointIDs() []string {
	ids := r.declaredIDs()
	sort.Strings(ids)
	return ids
}

// declaredIDs returns the declared ids, unsorted. It takes no lock, so it
// serves with or without r.mu held.
func (r *Registry) declaredIDs() []string {
	var ids []string
	if m := r.points.Load(); m != nil {
		for id, s := range *m {
			if s.declared() {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// PointInfo describes a declared extension point, as listed by
// [Registry.Points].
type PointInfo struct {
	// ID is the point's id.
	ID string
	// Type is the point's type: an interface or a func type.
	Type reflect.Type
	// Description is the point's description, if any.
	Description string
	// Required is true for points made with [Required].
	Required bool
	// Extensions is the number of extensions registered for the point.
	Extensions int
}

// Points describes every declared point, sorted by id.
func (r *Registry) Points() []PointInfo {
	var out []PointInfo
	if m := r.points.Load(); m != nil {
		for id, s := range *m {
			p := r.load(s)
			if p.decl == nil {
				continue
			}
			out = append(out, PointInfo{
				ID: id, Type: p.decl.typ, Description: p.decl.desc,
				Required: p.decl.required, Extensions: len(p.entries),
			})
		}
	}
	slices.SortFunc(out, func(a, b PointInfo) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Register adds ext to the point pointID with the given priority.
//
// On a declared point, ext must fit the point's type: implement it (interface
// points) or be a function of exactly that type (func points); otherwise the
// error matches kernel.ErrNotImplemented and its message names the point,
// the extension's type and the point's type. On an undeclared point, a lenient
// registry accepts ext untyped; a [Strict] one fails with
// kernel.ErrUnknownPoint. A nil ext (or a nil func) fails with
// kernel.ErrNotImplemented; an empty pointID with kernel.ErrExtension.
//
// The same value may be registered more than once; each registration counts,
// and [Registry.Unregister] removes them one at a time. Register is safe for
// concurrent use and costs O(1) amortized: sorting is deferred to the next
// read.
func (r *Registry) Register(pointID string, ext any, priority int) error {
	if pointID == "" {
		return errEmptyID()
	}
	if isNil(ext) {
		return errNilExtension(pointID, ext)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.registerLocked(pointID, ext, priority)
}

// registerLocked registers ext for id after checking it against the point.
// ext must not be nil. r.mu must be held.
func (r *Registry) registerLocked(id string, ext any, priority int) error {
	s := r.lookup(id)
	switch {
	case (s == nil || s.decl == nil) && r.strict:
		return r.errUnknownPoint(id, "registering extensions for it")
	case s == nil:
		s = r.slotLocked(id)
	case s.decl != nil && !fits(s.decl.typ, ext):
		return errNotImplemented(id, s.decl.typ, ext)
	}
	r.seq++
	e := entry{value: ext, priority: priority, seq: r.seq}
	s.pending = append(s.pending, e)
	s.snap.Store(nil)
	s.noteAdded(e)
	return nil
}

// removeLocked removes the most recent registration that match accepts and
// reports whether there was one. r.mu must be held.
func (s *slot) removeLocked(match func(entry) bool) bool {
	// Pending registrations are all more recent than sorted ones.
	for i := len(s.pending) - 1; i >= 0; i-- {
		if match(s.pending[i]) {
			e := s.pending[i]
			s.pending = slices.Delete(s.pending, i, i+1)
			s.snap.Store(nil)
			s.noteRemoved(e)
			return true
		}
	}
	at := -1
	for i, e := range s.sorted {
		if (at < 0 || e.seq > s.sorted[at].seq) && match(e) {
			at = i
		}
	}
	if at < 0 {
		return false
	}
	e := s.sorted[at]
	// sorted is shared with published snapshots: build a new slice.
	next := make([]entry, 0, len(s.sorted)-1)
	next = append(next, s.sorted[:at]...)
	next = append(next, s.sorted[at+1:]...)
	s.sorted = next
	s.valuesOK = false
	s.snap.Store(nil)
	s.noteRemoved(e)
	return true
}

// Unregister removes one registration of ext from pointID, by identity, and
// reports whether it found one. When the value is registered more than once,
// the most recent registration goes (an undo of the last Register).
//
// Identity, by kind of value:
//   - funcs: the same func value, that is the same closure object. A
//     top-level function (or method expression) is always itself. Each
//     evaluation of a func literal that captures variables makes a new
//     closure, and so does each evaluation of a method value: two closures
//     made from one literal are two extensions, whatever they capture. Keep
//     the value you registered to remove it;
//   - pointers, maps, channels and unsafe pointers: the same address;
//   - slices: the same array, length and capacity;
//   - interfaces held inside values: the same dynamic type and value;
//   - structs and arrays: every field or element the same by these rules,
//     unexported ones included, so a copy of a registered struct is that
//     extension;
//   - booleans, numbers and strings: ==, type included.
//
// The result depends on the values passed, not on what the compiler inlines,
// with one case that Go itself leaves open: a func literal that captures
// nothing compiles to one static value, so every evaluation of it yields the
// same func, and unregistering "another" one removes the one registered. The
// compiler may copy such a literal into each function it inlines the
// literal's enclosing function into, and the copies are distinct values, so
// for such funcs pass the value you registered, not a new one made the same
// way. Unregister never panics, even on values == would panic on.
func (r *Registry) Unregister(pointID string, ext any) bool {
	s := r.lookup(pointID)
	if s == nil || ext == nil {
		return false
	}
	match := matcher(ext)
	r.mu.Lock()
	defer r.mu.Unlock()
	return s.removeLocked(match)
}

// Get returns a copy of the extensions of pointID, highest priority first,
// declared or not. It returns nil when the point is unknown or has no
// extension. Unlike the typed accessors it allocates the copy, so the caller
// may keep and modify it.
func (r *Registry) Get(pointID string) []any {
	s := r.lookup(pointID)
	if s == nil {
		return nil
	}
	return slices.Clone(r.load(s).values)
}

// Entry is one registered extension and its priority, as listed by
// [Registry.Entries].
type Entry struct {
	// Value is the extension.
	Value any
	// Priority is the priority it was registered with.
	Priority int
}

// Entries returns the extensions of pointID with their priorities, highest
// priority first; nil when there is none. The slice is a fresh copy.
func (r *Registry) Entries(pointID string) []Entry {
	s := r.lookup(pointID)
	if s == nil {
		return nil
	}
	es := r.load(s).entries
	if len(es) == 0 {
		return nil
	}
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry{Value: e.value, Priority: e.priority}
	}
	return out
}

// GetExtension returns the highest-priority extension of pointID.
//
// It fails with kernel.ErrUnknownPoint ("... is not registered") when the
// point is not declared and has no extension, and with kernel.ErrNoExtensions
// ("... has no registered extensions") when it is declared but has none. In a
// lenient registry an undeclared point that has extensions returns its first.
func (r *Registry) GetExtension(pointID string) (any, error) {
	s := r.lookup(pointID)
	if s == nil {
		return nil, r.errUnknownPoint(pointID, "reading its extensions")
	}
	p := r.load(s)
	if len(p.values) > 0 {
		return p.values[0], nil
	}
	if p.decl == nil {
		return nil, r.errUnknownPoint(pointID, "reading its extensions")
	}
	return nil, errNoExtensions(pointID, p.decl.typ)
}

// checkRequired returns nil when every point declared with [Required] has at
// least one extension. Otherwise it returns one error of class
// kernel.ErrNoExtensions that lists every such point, sorted (its PointID
// holds the ids joined by ", "). [Module] runs it when the app starts.
func (r *Registry) checkRequired() error {
	var missing []string
	for _, info := range r.Points() {
		if info.Required && info.Extensions == 0 {
			missing = append(missing, info.ID)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return errRequired(missing)
}
