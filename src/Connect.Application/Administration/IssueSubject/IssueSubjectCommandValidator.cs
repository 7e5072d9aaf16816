namespace Connect.Application.Administration.IssueSubject;

public sealed class IssueSubjectCommandValidator : AbstractValidator<IssueSubjectCommand>
{
    public IssueSubjectCommandValidator() => RuleFor(command => command.Anchor).ValidAnchor();
}
