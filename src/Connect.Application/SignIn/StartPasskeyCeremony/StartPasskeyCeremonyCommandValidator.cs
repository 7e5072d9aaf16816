namespace Connect.Application.SignIn.StartPasskeyCeremony;

public sealed class StartPasskeyCeremonyCommandValidator : AbstractValidator<StartPasskeyCeremonyCommand>
{
    public StartPasskeyCeremonyCommandValidator()
    {
        RuleFor(command => command.ExposureKey).ValidKey();
        RuleFor(command => command.Purpose).Must(purpose => purpose is CeremonyPurpose.SignIn or CeremonyPurpose.SignUp);
    }
}
