using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>A turnstile and a face terminal at the same gate, fused by the gateway.</summary>
public sealed class TurnstileTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_passage_without_a_verification_before_it_is_tailgating_and_the_verified_one_is_not()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token,
            "--Turnstiles:TickInterval=00:00:00.100", "--Turnstiles:Window=00:00:01", "--Turnstiles:ClockTolerance=00:00:00");
        await gateway.RegisterAsync("TS-1", "turnstile-v1", Token, gate: "gate-t");
        await using var face = await gateway.AddTerminalAsync("FACE-1", Token);
        using (var move = await gateway.Api.PostAsJsonAsync("/api/devices", new { sn = "FACE-1", secret = "secret-FACE-1", protocol = "sitehub-v1", gate = "gate-t", direction = "in" }, Token))
        {
            move.EnsureSuccessStatusCode();
        }

        await using var turnstile = new TurnstileController("TS-1", "secret-TS-1", "127.0.0.1", gateway.BrokerPort);
        face.MaxBatch = 1;
        face.Start();
        var t0 = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));

        var verified = face.Punch("W1", Direction.In, t0);
        var turnedBack = face.Punch("W2", Direction.In, t0.AddMilliseconds(300));
        Assert.True(await face.WaitDrainedAsync(TimeSpan.FromSeconds(10), Token));
        await turnstile.PassAsync(Direction.In, Token, at: t0.AddMilliseconds(100)); // W1 walks through
        var tailgater = await turnstile.PassAsync(Direction.In, Token, at: t0.AddMilliseconds(150)); // someone follows W1: no verification of their own

        await TestEnvironment.WaitUntilAsync(
            async () => (await Events(gateway)).Any(e => e.GetProperty("code").GetString() == "no-passage"),
            TimeSpan.FromSeconds(15), "the gate to be judged", Token);
        var events = await Events(gateway);
        var tailgating = Assert.Single(events, e => e.GetProperty("type").GetString() == "tailgating");
        Assert.Equal(tailgater.Seq, tailgating.GetProperty("seq").GetInt64());
        var noPassage = Assert.Single(events, e => e.GetProperty("code").GetString() == "no-passage");
        Assert.Equal("W2", noPassage.GetProperty("person").GetString());
        Assert.NotNull(gateway.Outbox.FindPunch(verified.EventId));
        Assert.NotNull(gateway.Outbox.FindPunch(turnedBack.EventId)); // flagged, not dropped
    }

    [Fact]
    public async Task A_verification_no_passage_follows_stays_a_punch_with_a_no_passage_event()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token,
            "--Turnstiles:TickInterval=00:00:00.100", "--Turnstiles:Window=00:00:01", "--Turnstiles:ClockTolerance=00:00:00");
        await gateway.RegisterAsync("TS-2", "turnstile-v1", Token, gate: "gate-u");
        await gateway.RegisterAsync("FACE-2", "sitehub-v1", Token, gate: "gate-u");
        await using var face = new FaceTerminal("FACE-2", "secret-FACE-2", "127.0.0.1", gateway.BrokerPort) { MaxBatch = 1 };
        face.Start();

        var punch = face.Punch("W9", Direction.In);
        Assert.True(await face.WaitDrainedAsync(TimeSpan.FromSeconds(10), Token));

        await TestEnvironment.WaitUntilAsync(
            async () => (await Events(gateway)).Any(e => e.GetProperty("code").GetString() == "no-passage" && e.GetProperty("person").GetString() == "W9"),
            TimeSpan.FromSeconds(15), "the no-passage flag", Token);
        Assert.NotNull(gateway.Outbox.FindPunch(punch.EventId));
    }

    private static async Task<List<JsonElement>> Events(InProcessGateway gateway) =>
        (await gateway.Api.GetFromJsonAsync<JsonElement>("/api/device-events", Token)).EnumerateArray().ToList();
}
