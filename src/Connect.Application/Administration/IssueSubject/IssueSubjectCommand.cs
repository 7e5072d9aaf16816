namespace Connect.Application.Administration.IssueSubject;

/// <summary>
/// The account's one subject in the sector of the application <paramref name="Anchor"/> names: created on the
/// first call, the same on every later call.
/// </summary>
public sealed record IssueSubjectCommand(AccountId Account, string Anchor)
    : IRequest<AdministrationOutcome<IssueSubjectResult>>;

public sealed record IssueSubjectResult(SectorSubject Subject);
