// Amounts in a token's units as ethers' formatUnits writes them ("1.5", "1.0", "0.000001"; no
// decimal point for a token of 0 decimals), without loading ethers: the explorer's pages draw their
// amounts before (and without) any contract. A test compares it with ethers on random amounts.

export function formatUnits(value, decimals = 18) {
  const places = Number(decimals);
  let amount = BigInt(value);
  const sign = amount < 0n ? "-" : "";
  if (amount < 0n) amount = -amount;
  let digits = amount.toString();
  if (places === 0) return sign + digits;
  digits = digits.padStart(places + 1, "0");
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places).replace(/0+$/, "") || "0";
  return `${sign}${whole}.${fraction}`;
}

export function formatEther(value) {
  return formatUnits(value, 18);
}
