// Package policy decides, before a person is asked, whether a proposal may run
// on its own (allow), must not run (deny) or needs the person (ask, the
// default). Rules are translated to Cedar policies (one permit or forbid per
// rule, the rule id as policy id and @id annotation) and evaluated by
// github.com/cedar-policy/cedar-go, a policy engine made for authorization.
//
// It guarantees that: deny beats allow, across rules and across the targets
// of a proposal; a proposal is allowed only if every target of every action is
// allowed by some rule and denied by none, and only if every action has a
// known kind; the built-in denies (credential stores under the home
// directory, system directories, Countersign's own data dir) are part of
// every Engine and no rule set can remove them; a folder matches by path
// components, never by string prefix (/home/a/proj does not cover
// /home/a/project), on absolute, lexically cleaned paths, so ".." cannot climb
// out of a rule's folder; an expired rule never matches, and a once-rule
// decides at most one evaluation of an Engine and is reported as used; an
// agent over its hourly budget is never auto-approved (allow becomes ask);
// every Decision names the rules that decided it, per target; Evaluate never
// panics, whatever the proposal; and a failing Cedar evaluation never allows
// (an erroring forbid counts as a deny, an erroring permit as no permit).
//
// # Entities
//
// The principal is Agent::"<agent id>", the action Action::"<kind>". Each
// target of an action is its own resource:
//
//	Path::"/abs/file"            a file or folder, with every ancestor folder,
//	                             itself included, as Folder::"…" parents
//	Command::"[\"git\",\"status\"]"  argv as JSON, with Prefix::"[\"git\"]",
//	                             Prefix::"[\"git\",\"status\"]" and the
//	                             folders of its working directory as parents
//	Host::"example.com"          the host of a net.request
//	Tool::"name"                 the tool of a tool.call
//
// Folders are entity parents rather than a string attribute because Cedar's
// `in` then matches whole components by construction: a string `like
// "/home/a/proj*"` would also match /home/a/project, and a rule must not be
// one wildcard away from a credential store. Parents are listed flat (every
// ancestor directly), so no hierarchy walk is needed. A command's declared
// Writes are separate Path targets of the same command.run action: a rule for
// a command prefix does not by itself allow what the command writes.
//
// The context is {risk: 0 low … 3 critical, bytes: the action's content
// bytes, hour: 0-23 of Input.Now, now: Unix seconds}; rule conditions (risk
// at most, size at most, expiry) are `when` clauses on it, so the policy text
// is the whole rule.
//
// # Speed
//
// Cedar's Authorize evaluates every policy it is given. The Engine indexes
// policies by (agent or any, kind or any, anchor or any), where the anchor is
// the rule's file, folder, first command word, host or tool, and hands Cedar
// only the policies whose scope can match the target: those of the target's
// agent and kind, and of its path's ancestors. The index is a pre-filter
// derived from the same scope as the policy text; Cedar still decides.
//
// The index is keyed by anchor first, so a target costs one lookup per
// anchor (most of a deep path's folders anchor no rule) and a few per anchor
// that does. An evaluation works in scratch space pooled per Engine (the
// candidate list and its Cedar iterator, targets, parents, anchors), builds
// the argv prefix ids of a command in one allocation, and shares the context
// record between actions with the same values; so it allocates little besides
// its Decision, each target's parent set and what Cedar allocates, and the
// garbage collector, whose pauses made the slow tail, runs rarely. Nothing is
// cached across evaluations but what the rules determine: a new rule set is a
// new Engine. Following symbolic links climbs to the deepest existing
// ancestor with one Stat per level before resolving it. BenchmarkEvaluate1000Rules
// measures each evaluation of a mixed set of proposals, with the naive path
// (Cedar over every policy) as its peer.
package policy
