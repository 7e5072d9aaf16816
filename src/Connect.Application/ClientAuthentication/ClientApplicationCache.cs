using System.Collections.Concurrent;
using Connect.Domain.Applications;

namespace Connect.Application.ClientAuthentication;

/// <summary>
/// The last copy of each application this instance read, so that a request needs no round trip to find its
/// application and keys. A copy may be stale, and <see cref="ClientJwtPolicy"/> never trusts one on its own:
/// it refuses only after reading the current state, and accepts only when the replay record, written in the
/// same statement as a check of the application's revision, confirms that the copy was current. The staleness a
/// caller can observe is therefore zero, on every instance, without any instance being told of a change.
/// </summary>
internal sealed class ClientApplicationCache
{
    // Only registered applications are ever stored (an unknown iss is not cached), so this bounds memory against
    // a flood of registrations, not against callers.
    internal const int MaxApplications = 10_000;

    private readonly ConcurrentDictionary<ApplicationAnchor, ClientApplication> _applications = new();

    public ClientApplication? Find(ApplicationAnchor anchor) => _applications.GetValueOrDefault(anchor);

    /// <summary>Keeps <paramref name="application"/> as the copy of its anchor, or forgets the anchor when it is gone.</summary>
    public void Remember(ApplicationAnchor anchor, ClientApplication? application)
    {
        if (application is null)
        {
            _applications.TryRemove(anchor, out _);
            return;
        }

        if (_applications.Count >= MaxApplications && !_applications.ContainsKey(anchor))
        {
            _applications.Clear();
        }

        // Two requests may read the same application concurrently: keep the newer revision.
        _applications.AddOrUpdate(
            anchor,
            application,
            (_, current) => current.Id == application.Id && current.Revision > application.Revision ? current : application);
    }
}
