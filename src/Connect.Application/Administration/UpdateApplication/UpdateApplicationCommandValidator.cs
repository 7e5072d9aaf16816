namespace Connect.Application.Administration.UpdateApplication;

public sealed class UpdateApplicationCommandValidator : AbstractValidator<UpdateApplicationCommand>
{
    public UpdateApplicationCommandValidator()
    {
        RuleFor(command => command.Anchor).ValidAnchor();
        RuleFor(command => command.Name!).ValidDisplayName().When(command => command.Name is not null);
        RuleFor(command => command.CallbackHosts)
            .Must(hosts => hosts!.Distinct(StringComparer.OrdinalIgnoreCase).Count() <= CallbackHost.MaxPerApplication)
            .WithMessage($"at most {CallbackHost.MaxPerApplication} callback hosts are allowed")
            .When(command => command.CallbackHosts is not null);
        RuleForEach(command => command.CallbackHosts)
            .Custom((host, context) =>
            {
                if (!CallbackHost.TryNormalize(host, out _, out var problem))
                {
                    context.AddFailure(problem);
                }
            })
            .When(command => command.CallbackHosts is not null);
    }
}
