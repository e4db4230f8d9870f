using System.Numerics;
using Cohort.Domain.Accounts;

namespace Cohort.Domain.Tests.Accounts;

/// <summary>
/// Random command streams through Decide and Evolve, checked against a ledger kept from the events alone.
/// Seeded, so a failure is reproducible: every message names the seed.
/// </summary>
public class AccountPropertyTests
{
    private const int CommandsPerSeed = 5_000;
    private const int AccountCount = 50;
    private static readonly string[] Assets = ["USDT", "BTC", "EUR"];

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 20).Select(i => i * 7_919));

    /// <summary>
    /// What the events say about one asset of one account, in whole units of 10^-18 held as integers: so the ledger
    /// neither shares decimal's arithmetic with the code under test nor rounds when deposits add up past 28 digits.
    /// </summary>
    private sealed class Ledger
    {
        public BigInteger Available, Frozen, Deposited, Withdrawn, Settled;
    }

    private static BigInteger Units(decimal amount) => new(amount * 1_000_000_000_000_000_000m);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Balances_never_go_negative_and_equal_the_sum_of_the_events(int seed)
    {
        var random = new Random(seed);
        var states = Enumerable.Range(0, AccountCount).Select(i => AccountState.Empty($"acc-{i}")).ToArray();
        var ledgers = new Dictionary<(int Account, string Asset), Ledger>();
        var outcomes = new Dictionary<string, int>();

        for (var step = 0; step < CommandsPerSeed; step++)
        {
            var account = random.Next(AccountCount);
            var asset = Assets[random.Next(Assets.Length)];
            var before = states[account].BalanceOf(asset);
            var command = RandomCommand(random, asset, before);
            var at = $"seed {seed}, step {step}, acc-{account} {asset} {before}: {command}";

            var decision = Account.Decide(states[account], command);

            var expectedCode = ExpectedRejection(before, command);
            Assert.True(decision.Rejection?.Code == expectedCode,
                $"{at}: expected {expectedCode ?? "acceptance"}, got {decision.Rejection?.Code ?? "acceptance"}");
            if (decision.IsRejected)
            {
                Assert.True(decision.Events.Count == 0, $"{at}: a rejection came with events");
                Count(outcomes, decision.Rejection!.Code);
                continue;
            }
            Assert.True(decision.Events is [var only] && only == ExpectedEvent(command),
                $"{at}: unexpected events [{string.Join(", ", decision.Events)}]");

            foreach (var @event in decision.Events)
            {
                try
                {
                    states[account] = Account.Evolve(states[account], @event);
                }
                catch (InvariantViolationException ex)
                {
                    Assert.Fail($"{at}: Evolve threw on an accepted event: {ex.Message}");
                }
                Record(ledgers.TryGetValue((account, asset), out var l) ? l : ledgers[(account, asset)] = new(), @event);
                Count(outcomes, @event.GetType().Name);
            }

            foreach (var (a, b) in states[account].Balances)
            {
                Assert.True(b.Available >= 0m && b.Frozen >= 0m && b.Available + b.Frozen <= Amount.MaxBalance,
                    $"{at}: {a} is now {b}");
            }
        }

        foreach (var ((account, asset), ledger) in ledgers)
        {
            var balance = states[account].BalanceOf(asset);
            var at = $"seed {seed}, acc-{account} {asset}";
            Assert.True(Units(balance.Available) == ledger.Available && Units(balance.Frozen) == ledger.Frozen,
                $"{at}: state {balance}, events sum to available {ledger.Available}, frozen {ledger.Frozen} (units of 10^-18)");
            Assert.True(Units(balance.Available + balance.Frozen) == ledger.Deposited - ledger.Withdrawn - ledger.Settled,
                $"{at}: total {Units(balance.Available + balance.Frozen)}, deposits {ledger.Deposited} - withdrawals {ledger.Withdrawn} - settlements {ledger.Settled} (units of 10^-18)");
        }
        var heldAssets = states.SelectMany((s, i) => s.Balances.Keys.Select(asset => (i, asset)));
        Assert.True(heldAssets.All(ledgers.ContainsKey), $"seed {seed}: a balance exists without any event");

        // Guard against a generator that never reaches an interesting case.
        string[] expectedOutcomes =
        [
            nameof(Deposited), nameof(Withdrawn), nameof(Frozen), nameof(Unfrozen), nameof(Settled),
            RejectionCodes.ValidationFailed, RejectionCodes.InsufficientFunds, RejectionCodes.InsufficientFrozen,
            RejectionCodes.BalanceLimitExceeded,
        ];
        var missing = expectedOutcomes.Where(o => !outcomes.ContainsKey(o)).ToList();
        Assert.True(missing.Count == 0, $"seed {seed}: never saw {string.Join(", ", missing)}");
    }

    private static AccountCommand RandomCommand(Random random, string asset, AssetBalance balance)
    {
        // The amount is drawn around the balance the command is limited by, so both sides of each limit occur.
        return random.Next(5) switch
        {
            0 => new Deposit(asset, RandomAmount(random, Amount.MaxBalance - balance.Available - balance.Frozen)),
            1 => new Withdraw(asset, RandomAmount(random, balance.Available)),
            2 => new Freeze(asset, RandomAmount(random, balance.Available)),
            3 => new Unfreeze(asset, RandomAmount(random, balance.Frozen)),
            _ => new Settle(asset, RandomAmount(random, balance.Frozen)),
        };
    }

    private static decimal RandomAmount(Random random, decimal limit)
    {
        var scale = (byte)random.Next(Amount.MaxFractionalDigits + 1);
        return random.Next(10) switch
        {
            0 => limit, // exactly the limit (zero when there is nothing to take)
            1 => limit + Scaled(1, scale), // just above it
            2 => decimal.Round(limit * (decimal)random.NextDouble(), scale, MidpointRounding.ToZero), // below it
            // Anything from 10^-18 to 10^18, so often far more than any balance.
            _ => Scaled(random.NextInt64(1, Pow10(random.Next(1, 19))), scale),
        };
    }

    private static decimal Scaled(long mantissa, byte scale) =>
        new((int)mantissa, (int)(mantissa >> 32), 0, isNegative: false, scale);

    private static long Pow10(int exponent)
    {
        var result = 1L;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }
        return result;
    }

    /// <summary>An independent statement of the rules Decide must follow.</summary>
    private static string? ExpectedRejection(AssetBalance b, AccountCommand c) => c switch
    {
        _ when c.Amount <= 0m || c.Amount.Scale > Amount.MaxFractionalDigits => RejectionCodes.ValidationFailed,
        Deposit when b.Available + b.Frozen + c.Amount > Amount.MaxBalance => RejectionCodes.BalanceLimitExceeded,
        Withdraw or Freeze when c.Amount > b.Available => RejectionCodes.InsufficientFunds,
        Unfreeze or Settle when c.Amount > b.Frozen => RejectionCodes.InsufficientFrozen,
        _ => null,
    };

    private static AccountEvent ExpectedEvent(AccountCommand c) => c switch
    {
        Deposit => new Deposited(c.Asset, c.Amount),
        Withdraw => new Withdrawn(c.Asset, c.Amount),
        Freeze => new Frozen(c.Asset, c.Amount),
        Unfreeze => new Unfrozen(c.Asset, c.Amount),
        Settle => new Settled(c.Asset, c.Amount),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, null),
    };

    private static void Record(Ledger l, AccountEvent e)
    {
        var units = Units(e.Amount);
        switch (e)
        {
            case Deposited: l.Available += units; l.Deposited += units; break;
            case Withdrawn: l.Available -= units; l.Withdrawn += units; break;
            case Frozen: l.Available -= units; l.Frozen += units; break;
            case Unfrozen: l.Available += units; l.Frozen -= units; break;
            case Settled: l.Frozen -= units; l.Settled += units; break;
            default: throw new ArgumentOutOfRangeException(nameof(e), e, null);
        }
    }

    private static void Count(Dictionary<string, int> outcomes, string outcome) =>
        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
}
