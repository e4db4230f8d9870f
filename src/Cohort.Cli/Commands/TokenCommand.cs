using System.CommandLine;
using Cohort.Cluster.Auth;
using Cohort.Domain;

namespace Cohort.Cli.Commands;

/// <summary>
/// <c>cohort token &lt;accountId&gt;</c> and <c>cohort token --admin</c>: print a JWT signed with the cluster's key
/// (<see cref="TokenKey"/>), for curl and scripts: <c>-H "Authorization: Bearer $(./cohort token --admin)"</c>.
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var account = new Argument<string?>("accountId")
        {
            Description = "The account the token acts as.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var admin = new Option<bool>("--admin") { Description = "A token with the admin role: any account, products, /admin." };
        var lifetime = new Option<TimeSpan>("--lifetime")
        {
            Description = "How long the token is valid (hh:mm:ss).",
            DefaultValueFactory = _ => new AuthOptions().TokenLifetime,
        };
        var command = new Command("token", "Print a bearer token signed with the cluster's key (COHORT__AUTH__SIGNINGKEY or .cohort/auth-signing-key).")
        {
            account, admin, lifetime,
        };
        command.Validators.Add(result =>
        {
            var id = result.GetValue(account);
            if (result.GetValue(admin) == (id is not null))
            {
                result.AddError("give an accountId or --admin, not both");
            }
            else if (id is not null && !Identifier.IsValid(id))
            {
                result.AddError($"accountId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
            }
        });
        command.SetAction(parseResult =>
        {
            // Checked here: a command's validator sees an option's default as unset.
            if (parseResult.GetValue(lifetime) <= TimeSpan.Zero)
            {
                Console.Error.WriteLine("cohort token: --lifetime must be positive");
                return 1;
            }
            if (TokenKey.Find(out var problem) is not { } key)
            {
                Console.Error.WriteLine($"cohort token: {problem}");
                return 1;
            }
            var isAdmin = parseResult.GetValue(admin);
            Console.WriteLine(key.Issue(isAdmin ? AccessTokens.AdminSubject : parseResult.GetValue(account)!, isAdmin, parseResult.GetValue(lifetime)));
            return 0;
        });
        return command;
    }
}
