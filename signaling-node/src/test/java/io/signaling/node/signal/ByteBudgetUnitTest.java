package io.signaling.node.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.ByteBudgets;
import org.junit.jupiter.api.Test;

/** A connection's byte budget and its address's, on a clock the test moves. */
class ByteBudgetUnitTest {

  private static final long SECOND = 1_000_000_000L;
  /** 1,000 bytes/s and 4,000 at once per connection; 2,000 bytes/s and 6,000 at once per address. */
  private static final ByteBudgets LIMITS = new ByteBudgets(1000, 4000, 2000, 6000);

  @Test
  void aConnection_spendsItsBurst_thenItsRate() {
    ByteBudget budget = ByteBudget.of(LIMITS, null, "10.0.0.1", 0);
    assertThat(budget.tryTake(4000, 0)).isTrue();
    assertThat(budget.tryTake(1, 0)).isFalse();
    assertThat(budget.tryTake(500, SECOND / 2)).isTrue();
    assertThat(budget.tryTake(500, SECOND / 2)).isFalse();
  }

  @Test
  void connectionsOfOneAddress_shareItsBudget_andARefusalByTheAddressCostsTheConnectionNothing() {
    AddressBuckets addresses = ByteBudget.addressBuckets(LIMITS);
    ByteBudget first = ByteBudget.of(LIMITS, addresses, "10.0.0.1", 0);
    ByteBudget second = ByteBudget.of(LIMITS, addresses, "10.0.0.1", 0);
    ByteBudget other = ByteBudget.of(LIMITS, addresses, "10.0.0.2", 0);
    // GIVEN the address's 6,000 bytes spent by two connections, each within its own 4,000
    assertThat(first.tryTake(3000, 0)).isTrue();
    assertThat(second.tryTake(3000, 0)).isTrue();
    // WHEN the first sends 1,000 more THEN the address refuses it, and the first keeps its own 1,000
    assertThat(first.tryTake(1000, 0)).isFalse();
    // AND another address is not affected
    assertThat(other.tryTake(4000, 0)).isTrue();
    // AND once the address has refilled, the first can spend what it kept
    assertThat(first.tryTake(1000, SECOND / 2)).isTrue();
  }

  @Test
  void addressBuckets_forgetFullBuckets_pastTheirBound() {
    AddressBuckets addresses = new AddressBuckets(1000, 1000, 2);
    addresses.tryTake("a", 1000, 0);
    addresses.tryTake("b", 1000, 0);
    addresses.tryTake("c", 1000, 0);
    // GIVEN three addresses, one over the bound; WHEN all are full again and a fourth comes
    addresses.tryTake("d", 1, 2 * SECOND);
    // THEN the full ones were forgotten and only the new one is kept
    assertThat(addresses.size()).isEqualTo(1);
    // AND an address still spending is remembered while the bound holds
    AddressBuckets busy = new AddressBuckets(1, 1000, 2);
    busy.tryTake("a", 1000, 0);
    busy.tryTake("b", 1000, 0);
    assertThat(busy.tryTake("a", 1, 0)).isFalse();
    // AND when spending addresses alone exceed it, all are forgotten (the map never grows without bound)
    busy.tryTake("c", 1000, 0);
    busy.tryTake("d", 1, 0);
    assertThat(busy.size()).isEqualTo(1);
  }
}
