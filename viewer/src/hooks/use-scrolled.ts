import { useEffect, useState } from 'preact/hooks'

/** True while the window is scrolled down from the top (window.scrollY > 0). */
export function useScrolled(): boolean {
  const [scrolled, setScrolled] = useState(() => scrollY > 0)
  useEffect(() => {
    const onScroll = () => setScrolled(scrollY > 0)
    addEventListener('scroll', onScroll, { passive: true })
    return () => removeEventListener('scroll', onScroll)
  }, [])
  return scrolled
}
